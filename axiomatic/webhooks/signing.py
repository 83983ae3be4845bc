"""Signing secrets and the signature headers every delivery carries.

Two schemes sign each delivery, with one timestamp:

- `Axiomatic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, the scheme Stripe uses,
  keyed by the whole secret string as shown (`whsec_...`). `verify_signature` is what a receiver runs;
  the README shows it.
- Standard Webhooks (www.standardwebhooks.com): `webhook-id` (the event's id), `webhook-timestamp`
  (the same `t`) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.t.body">`, keyed by the bytes
  the secret's base64 stands for, so the `standardwebhooks` packages verify a delivery with the secret
  as shown.

Both carry one signature per secret in use (two during a rotation). Secrets are `whsec_` + standard
base64 of 32 random bytes. Those issued before were `whsec_` + url-safe base64 without padding: they
keep signing Axiomatic-Signature as before, and their Standard Webhooks key is what the Python
package decodes from them (`standard_key`), or none (docs/adr/0034-standard-webhooks.md).

Secrets are needed again to sign, so they cannot be stored as hashes like API keys: they are stored
encrypted (axiomatic.core.encryption).
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

from axiomatic.core import encryption

HEADER = "Axiomatic-Signature"
STANDARD_ID = "webhook-id"
STANDARD_TIMESTAMP = "webhook-timestamp"
STANDARD_SIGNATURE = "webhook-signature"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
TOLERANCE_SECONDS = 300


class SecretUnavailable(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def encrypt_secret(secret: str) -> str:
    return encryption.encrypt_text(secret)


def decrypt_secret(token: str) -> str:
    try:
        return encryption.decrypt_text(token)
    except encryption.CannotDecrypt as exc:
        raise SecretUnavailable(
            f"{exc} Or rotate the endpoint's secret (POST .../rotate-secret)."
        ) from exc


def standard_key(secret: str) -> bytes | None:
    """The Standard Webhooks HMAC key of a secret as shown, decoded as the `standardwebhooks`
    package decodes it: `whsec_` dropped, the rest read as standard base64 with padding added and
    characters outside the alphabet skipped. For the secrets made by `new_secret` that is the 32
    random bytes. An older url-safe secret decodes to other bytes (its `-` and `_` skipped), and
    about one in four of them not at all: None, and that secret signs no `webhook-signature`."""
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX) + "==")
    except binascii.Error:
        return None
    return key or None


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets_in_use: list[str], timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={timestamp}", *(f"v1={_mac(s, timestamp, body)}" for s in secrets_in_use)])


def standard_signature_header(
    message_id: str, body: bytes, secrets_in_use: list[str], timestamp: int
) -> str:
    """`v1,<base64>` per secret that has a Standard Webhooks key, space separated ("" if none)."""
    message = f"{message_id}.{timestamp}.".encode() + body
    keys = [key for key in map(standard_key, secrets_in_use) if key]
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        for key in keys
    )


def delivery_headers(
    body: bytes, message_id: str, secrets_in_use: list[str], timestamp: int | None = None
) -> dict[str, str]:
    """Both schemes' headers for one delivery, signed at one instant. `webhook-signature` is left
    out when no secret in use has a Standard Webhooks key (only an old secret that the package
    cannot decode): the package then says the header is missing rather than that a signature is
    wrong, and the endpoint's secret must be rotated for it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        HEADER: signature_header(body, secrets_in_use, timestamp),
        STANDARD_ID: message_id,
        STANDARD_TIMESTAMP: str(timestamp),
    }
    standard = standard_signature_header(message_id, body, secrets_in_use, timestamp)
    if standard:
        headers[STANDARD_SIGNATURE] = standard
    return headers


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
