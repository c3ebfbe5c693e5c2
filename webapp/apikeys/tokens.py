"""Making and hashing API key secrets.

Keys are 256 random bits, so one SHA-256 is enough to store them safely (a password hash's slowness
protects guessable secrets; these are not guessable) and lets a request find its key by hash.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "pf_"
SHOWN_PREFIX_LENGTH = 10  # "pf_" and 7 random characters: enough to recognise a key in a list
MIN_SUPPLIED_LENGTH = 20  # keys chosen by an operator (PYFLARE_INIT_API_KEY) must be at least this long


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def shown_prefix(plaintext: str) -> str:
    return plaintext[:SHOWN_PREFIX_LENGTH]
