"""The accounts REST API: session login, logout, CSRF and the caller (`/auth/*`, `/me`)."""
