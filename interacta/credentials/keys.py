"""The issuer's Ed25519 keys that sign the Open Badges credentials, and the public ones that
verify them (served as a JWK Set at /.well-known/jwks.json).

Where the signing key comes from, in this order:

- `CREDENTIALS_SIGNING_KEY`: an Ed25519 private key as PEM (PKCS#8), from the
  environment. Use it when several hosts serve the app: each must sign with the same key.
  Retired public keys then come from `CREDENTIALS_RETIRED_PUBLIC_KEYS` (PEM blocks, one
  after the other) besides the key folder.
- Otherwise the key folder (`CREDENTIALS_KEY_DIR`, default `<instance>/credential-keys`):
  `current.pem`, the private key, made on first use with mode 0600; `retired/<name>.pem`,
  the public keys of the keys `flask credentials rotate-key` replaced, kept so the
  credentials they signed still verify.

A key is named by its RFC 7638 thumbprint; the JWT's `kid` is the JWK Set's URL with that
name as fragment. Nothing here logs or prints a private key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from interacta.core.urls import external_url

logger = logging.getLogger(__name__)

_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


class SigningKeyError(RuntimeError):
    """The signing key cannot be used (wrong type, unreadable, managed elsewhere)."""


@dataclass(frozen=True)
class SigningKey:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return kid_for(self.name)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """The key's RFC 7638 JWK thumbprint (SHA-256), which names it."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64(_raw(public_key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return _b64(hashlib.sha256(canonical).digest())


def jwks_url() -> str:
    return external_url("credentials_keys.jwks", _language="en")


def kid_for(name: str) -> str:
    """The `kid` of the key `name`: a URL that dereferences to the JWK Set holding it."""
    return f"{jwks_url()}#{name}"


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public key as a JWK (OKP, Ed25519): no private member."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64(_raw(public_key)),
        "kid": kid_for(thumbprint(public_key)),
        "use": "sig",
        "alg": "EdDSA",
    }


# --- where keys live ----------------------------------------------------------------------


def key_dir() -> Path:
    configured = current_app.config.get("CREDENTIALS_KEY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "credential-keys"


def _configured_pem() -> str | None:
    return (current_app.config.get("CREDENTIALS_SIGNING_KEY") or "").strip() or None


def _load_private(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:  # never show the PEM itself
        raise SigningKeyError(
            f"the signing key in {where} is not a readable PEM private key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"the signing key in {where} is not an Ed25519 key")
    return key


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write_new(path: Path, data: bytes, mode: int) -> Path:
    """`data` in a new file beside `path` with `mode` from its creation on (no moment
    when a private key is readable by others); returns the temporary path."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.chmod(temporary, mode)  # whatever the umask
    return temporary


def _folder() -> Path:
    folder = key_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _create_current(folder: Path) -> None:
    """Make the first key. Two processes starting at once: os.link() lets one file win
    whole; the loser drops its key and uses the winner's."""
    key = Ed25519PrivateKey.generate()
    temporary = _write_new(folder / "current.pem", _private_pem(key), 0o600)
    try:
        os.link(temporary, folder / "current.pem")
        logger.info("credentials: new signing key %s", thumbprint(key.public_key()))
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def current() -> SigningKey:
    """The key that signs new credentials (made in the key folder on first use)."""
    pem = _configured_pem()
    if pem is not None:
        key = _load_private(pem.encode(), "CREDENTIALS_SIGNING_KEY")
    else:
        folder = _folder()
        path = folder / "current.pem"
        if not path.exists():
            _create_current(folder)
        key = _load_private(path.read_bytes(), str(path))
    return SigningKey(thumbprint(key.public_key()), key)


def _retired() -> list[Ed25519PublicKey]:
    keys = []
    folder = key_dir() / "retired"
    if folder.is_dir():
        for path in sorted(folder.glob("*.pem")):
            keys.append(serialization.load_pem_public_key(path.read_bytes()))
    configured = current_app.config.get("CREDENTIALS_RETIRED_PUBLIC_KEYS") or ""
    for block in _PEM_BLOCK.findall(configured):
        keys.append(serialization.load_pem_public_key(block.encode()))
    return [k for k in keys if isinstance(k, Ed25519PublicKey)]


def public_keys() -> list[Ed25519PublicKey]:
    """The current key's public part first, then every retired one (each once)."""
    keys, seen = [], set()
    for key in [current().private_key.public_key(), *_retired()]:
        name = thumbprint(key)
        if name not in seen:
            seen.add(name)
            keys.append(key)
    return keys


def jwks() -> dict:
    """The JWK Set of every key that verifies our credentials."""
    return {"keys": [public_jwk(key) for key in public_keys()]}


def rotate() -> tuple[str, str]:
    """Make a new current key; the old one's public part is kept (retired/), so what it
    signed still verifies. Returns (old name, new name)."""
    if _configured_pem() is not None:
        raise SigningKeyError(
            "the signing key comes from CREDENTIALS_SIGNING_KEY: set a new one there and add "
            "the old public key to CREDENTIALS_RETIRED_PUBLIC_KEYS"
        )
    folder = _folder()
    old = current()
    retired = folder / "retired"
    retired.mkdir(mode=0o700, exist_ok=True)
    public = _write_new(
        retired / f"{old.name}.pem", _public_pem(old.private_key.public_key()), 0o644
    )
    os.replace(public, retired / f"{old.name}.pem")
    new = Ed25519PrivateKey.generate()
    temporary = _write_new(folder / "current.pem", _private_pem(new), 0o600)
    os.replace(temporary, folder / "current.pem")  # signers see the old file or the new one
    new_name = thumbprint(new.public_key())
    logger.info("credentials: signing key %s retired, %s is current", old.name, new_name)
    return old.name, new_name
