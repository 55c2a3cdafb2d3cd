"""Webhook signatures follow Standard Webhooks exactly, so any of its verifiers accepts them."""

from __future__ import annotations

import base64

from assess.services.webhook_secrets import SECRET_PREFIX, new_secret
from assess.services.webhook_signing import sign

# The specification's published test vector (standardwebhooks.com, its reference libraries' tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_reproduces_the_specifications_test_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_any_change_of_id_timestamp_or_body_changes_the_signature() -> None:
    changed = {
        sign(VECTOR_SECRET, "msg_other", VECTOR_TIMESTAMP, VECTOR_BODY),
        sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP + 1, VECTOR_BODY),
        sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, b'{"test": 2432232315}'),
    }
    assert VECTOR_SIGNATURE not in changed and len(changed) == 3


def test_new_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith(SECRET_PREFIX) and first != second
    assert len(base64.b64decode(first.removeprefix(SECRET_PREFIX))) == 32
