"""Secrets the server must read back (the second factors' TOTP secrets), kept sealed in the database.

AES-256-GCM (an authenticated cipher, from `cryptography`) under a key derived with HKDF-SHA256 from the secret
key (`config.secret_key`: `LANZAROTE_SECRET_KEY`, or `secret.key` in the data folder), so a copy of the database or
of a backup holds no usable secret. Each sealed value is bound to where it belongs (its table and row): a sealed
secret moved to another user's row does not open. A value sealed under another key does not open either, and says
so in one line instead of answering "wrong code" to everyone.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lanzarote import config
from lanzarote.errors import ConfigurationError

PREFIX = "v1."
"""Marks a sealed value (and the format: a 12-byte nonce, then the ciphertext with its tag, base64url)."""
_PURPOSE = b"lanzarote sealed secrets v1"


def _cipher(secret_key: str | None) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        (secret_key if secret_key is not None else config.secret_key()).encode())
    return AESGCM(key)


def seal(clear: str, where: str, secret_key: str | None = None) -> str:
    """`clear` sealed for the place `where` names (e.g. `second_factors/12`)."""
    nonce = os.urandom(12)
    sealed = nonce + _cipher(secret_key).encrypt(nonce, clear.encode(), where.encode())
    return PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def unseal(value: str, where: str, secret_key: str | None = None) -> str:
    """The clear text of a value sealed for `where`; ConfigurationError when the key is not the one it was sealed
    under (or the value was altered or moved)."""
    body = value.removeprefix(PREFIX)
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return _cipher(secret_key).decrypt(raw[:12], raw[12:], where.encode()).decode()
    except InvalidTag:
        raise ConfigurationError(
            "a second factor's secret does not open with this secret key: LANZAROTE_SECRET_KEY (or secret.key in the "
            "data folder) is not the one it was sealed under; restore that key, or reset the second factors "
            "(`lanzarote users reset-factor`)") from None
