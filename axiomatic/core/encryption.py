"""Encryption at rest for values we must read back: webhook signing secrets and stored API responses
that carry a secret shown once (an idempotent replay of "create share link" or "register webhook").

Fernet (AES-128-CBC + HMAC-SHA256) under ENCRYPTION_KEYS: the first key encrypts, every key listed
decrypts, so a key can be rotated by putting the new one first. Unset, one key derived from
SECRET_KEY is used; set ENCRYPTION_KEYS in production so SECRET_KEY can change on its own.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CannotDecrypt(Exception):
    """The value was encrypted under a key that is no longer configured."""


def _fernet() -> MultiFernet:
    keys = list(settings.ENCRYPTION_KEYS)
    if not keys:
        derived = hashlib.sha256(b"axiomatic.encryption:" + settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(derived.digest()).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CannotDecrypt(
            "A stored value cannot be decrypted: ENCRYPTION_KEYS (or SECRET_KEY) changed. List the "
            "old key in ENCRYPTION_KEYS after the new one."
        ) from exc
