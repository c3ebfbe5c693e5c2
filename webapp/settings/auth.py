"""Users, sessions and password policy.

Accounts log in by email (`accounts.User`); programs use project API keys (see webapp.apikeys).
"""

from __future__ import annotations

from webapp.settings.env import env_bool, env_int

AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PYFLARE_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE: int = env_int("PYFLARE_SESSION_AGE_SECONDS", 14 * 24 * 3600, minimum=60)
# Behind TLS set PYFLARE_SECURE_COOKIES=1; embedded mode on localhost serves plain HTTP.
SESSION_COOKIE_SECURE: bool = env_bool("PYFLARE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE: bool = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"

# How often (seconds) an API key's last_used_at is written; every request would be a write.
API_KEY_LAST_USED_RESOLUTION: int = env_int("PYFLARE_API_KEY_LAST_USED_RESOLUTION", 60, minimum=0)
