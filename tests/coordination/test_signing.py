"""Signed packages: verified against a partner's key; unsigned, altered or unknown ones refused."""

from __future__ import annotations

import json

import pytest
from nacl.signing import SigningKey

from lanzarote.coordination.packages.signing import NodeKey, Partner, sign, verify
from lanzarote.errors import InputRejected
from tests.coordination.fixtures import package

HUB = NodeKey("HUB", SigningKey.generate())
PARTNERS = {HUB.key_id: Partner("HUB", HUB.public_key)}


def _signed() -> bytes:
    return sign("package", package().model_dump(mode="json"), HUB)


def test_a_signed_package_verifies_and_names_its_signer() -> None:
    data = _signed()
    assert json.loads(data)["header"]["key_id"] == HUB.key_id
    verified = verify(data, "package", PARTNERS)
    assert (verified.signer, verified.payload["package_id"]) == ("HUB", "PKG-TEST-0001")


@pytest.mark.parametrize("offset", [10, 200, 2000, -20])
def test_one_altered_byte_is_refused(offset: int) -> None:
    data = bytearray(_signed())
    data[offset] = ord("x") if data[offset] != ord("x") else ord("y")
    with pytest.raises(InputRejected, match=r"altered|not a signed|not a partner|header"):
        verify(bytes(data), "package", PARTNERS)


def test_an_unsigned_or_foreign_package_is_refused() -> None:
    envelope = json.loads(_signed())
    envelope.pop("signature")
    with pytest.raises(InputRejected, match="not signed"):
        verify(json.dumps(envelope).encode(), "package", PARTNERS)
    with pytest.raises(InputRejected, match="no signed header"):
        verify(package().model_dump_json().encode(), "package", PARTNERS)
    stranger = NodeKey("HUB", SigningKey.generate())
    with pytest.raises(InputRejected, match="not a partner's key"):
        verify(sign("package", {"x": 1}, stranger), "package", PARTNERS)
