"""Signing secrets and the Axiomatic-Signature header.

The header follows the scheme Stripe uses: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, with
one `v1` per secret in use (two during a rotation), so a receiver can check the signature and reject
replays older than a few minutes. `verify_signature` is what a receiver runs; the README shows it.

Secrets are needed again to sign, so they cannot be stored as hashes like API keys: they are stored
encrypted (axiomatic.core.encryption).
"""

import hashlib
import hmac
import secrets
import time

from axiomatic.core import encryption

HEADER = "Axiomatic-Signature"
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


class SecretUnavailable(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encrypt_secret(secret: str) -> str:
    return encryption.encrypt_text(secret)


def decrypt_secret(token: str) -> str:
    try:
        return encryption.decrypt_text(token)
    except encryption.CannotDecrypt as exc:
        raise SecretUnavailable(
            f"{exc} Or rotate the endpoint's secret (POST .../rotate-secret)."
        ) from exc


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets_in_use: list[str], timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={timestamp}", *(f"v1={_mac(s, timestamp, body)}" for s in secrets_in_use)])


def verify_signature(
    body: bytes, header: str, secret: str, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """True when one of the header's v1 signatures is the secret's and the timestamp is recent."""
    try:
        pairs = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in pairs if key == "t"))
    except (ValueError, StopIteration):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = _mac(secret, timestamp, body)
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in pairs)
