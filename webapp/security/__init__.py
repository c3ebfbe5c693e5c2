"""Request-facing protections shared by the API, the admin and outbound deliveries: who the client
is behind proxies, login throttling, and the policy for addresses PyFlare may connect to."""
