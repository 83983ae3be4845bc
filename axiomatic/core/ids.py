"""Public identifiers.

Every table keeps a BigAutoField primary key for fast joins; the only id on the wire is a prefixed,
random, URL-safe `public_id` such as `ent_01jd3m9x0c4n6w8y2b7q5r1t3v`. The 26 characters after the
prefix are a ULID in lower-case Crockford base32: 48 bits of milliseconds then 80 random bits, so ids
sort by creation time and cannot be guessed.
"""

import re
import secrets
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
BODY_LENGTH = 26
MAX_LENGTH = 40

PREFIXES = frozenset(
    {"ent", "pcl", "te", "eng", "task", "inv", "bk", "acct", "je", "key", "shr", "usr", "invt"}
    | {"wh", "whd", "evt"}  # webhook endpoints, deliveries, events
    | {"pay"}  # invoice payments
    | {"tmr"}  # practice timers
)


def new_public_id(prefix: str) -> str:
    """Return a new id `<prefix>_<26 chars>`, time-ordered then random."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown public id prefix {prefix!r}")
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(BODY_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return f"{prefix}_{''.join(reversed(chars))}"


_PATTERNS: dict[str, re.Pattern[str]] = {
    prefix: re.compile(rf"^{prefix}_[{ALPHABET}]{{{BODY_LENGTH}}}$") for prefix in PREFIXES
}


def is_public_id(value: object, prefix: str) -> bool:
    """True when `value` is a well-formed id of that kind (it may still name nothing)."""
    return isinstance(value, str) and _PATTERNS[prefix].match(value) is not None
