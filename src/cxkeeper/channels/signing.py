"""Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme").

A secret is `whsec_` + the base64 of random bytes; the key is those bytes. Each message carries
`webhook-id` (the same for every attempt and replay of a message), `webhook-timestamp` (Unix
seconds of this attempt) and `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
one per secret in force, separated by spaces, so a receiver still holding the previous secret
verifies messages during a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def key_of(secret: str) -> bytes:
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a signing secret is “whsec_” followed by base64") from exc
    if not key:
        raise ValueError("a signing secret may not be empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets_in_force: list[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in secrets_in_force),
    }
