"""The DER encoder against known encodings and against cryptography's own DER."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from truck.fiscal import asn1


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "020100"),
        (1, "020101"),
        (127, "02017f"),
        (128, "02020080"),
        (255, "020200ff"),
        (256, "02020100"),
        (-1, "0201ff"),
        (-128, "020180"),
        (-129, "0202ff7f"),
        (-256, "0202ff00"),
        (2**63, "0209008000000000000000"),
    ],
)
def test_integer(value: int, encoded: str) -> None:
    assert asn1.integer(value).hex() == encoded
    element = asn1.read_single(bytes.fromhex(encoded))
    assert asn1.decode_integer(element.content) == value


@given(st.integers(min_value=-(2**200), max_value=2**200))
def test_integer_round_trip(value: int) -> None:
    element = asn1.read_single(asn1.integer(value))
    assert element.tag == asn1.TAG_INTEGER
    assert asn1.decode_integer(element.content) == value


def test_integer_refuses_bool() -> None:
    with pytest.raises(TypeError):
        asn1.integer(True)


def test_non_minimal_integer_is_refused() -> None:
    with pytest.raises(ValueError):
        asn1.decode_integer(bytes.fromhex("0001"))
    with pytest.raises(ValueError):
        asn1.decode_integer(bytes.fromhex("ff80"))


@given(st.integers(min_value=1, max_value=2**384), st.integers(min_value=1, max_value=2**384))
def test_sequence_of_integers_matches_cryptography(r: int, s: int) -> None:
    assert asn1.sequence(asn1.integer(r), asn1.integer(s)) == encode_dss_signature(r, s)


@pytest.mark.parametrize(
    ("oid", "encoded"),
    [
        ("0.4.0.127.0.7.3.7.1.1", "0609 04007f0007030701 01"),
        ("0.4.0.127.0.7.1.1.4.1.3", "060a 04007f00070101040103"),
        ("1.2.840.10045.2.1", "0607 2a8648ce3d0201"),
        ("2.999.3", "0603 883703"),
    ],
)
def test_object_identifier(oid: str, encoded: str) -> None:
    raw = bytes.fromhex(encoded.replace(" ", ""))
    assert asn1.object_identifier(oid) == raw
    assert asn1.decode_object_identifier(asn1.read_single(raw).content) == oid


@pytest.mark.parametrize(
    ("curve", "curve_oid"),
    [(ec.SECP256R1(), "1.2.840.10045.3.1.7"), (ec.SECP384R1(), "1.3.132.0.34")],
)
def test_object_identifiers_appear_in_cryptographys_public_key_info(
    curve: ec.EllipticCurve, curve_oid: str
) -> None:
    spki = (
        ec.generate_private_key(curve)
        .public_key()
        .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    algorithm = asn1.sequence(
        asn1.object_identifier("1.2.840.10045.2.1"), asn1.object_identifier(curve_oid)
    )
    assert algorithm in spki


@pytest.mark.parametrize("bad", ["", "1", "3.1", "1.40", "1..2", "1.2.x"])
def test_bad_object_identifier(bad: str) -> None:
    with pytest.raises(ValueError):
        asn1.object_identifier(bad)


@pytest.mark.parametrize(
    ("length", "header"), [(0, "0400"), (127, "047f"), (128, "048180"), (300, "0482012c")]
)
def test_octet_string_lengths(length: int, header: str) -> None:
    encoded = asn1.octet_string(bytes(length))
    assert encoded.hex().startswith(header)
    assert asn1.read_single(encoded).content == bytes(length)


def test_printable_string_and_implicit_tag() -> None:
    assert asn1.printable_string("Kassenbeleg-V1") == b"\x13\x0eKassenbeleg-V1"
    assert asn1.implicit(0, asn1.printable_string("x")).hex() == "800178"
    assert asn1.implicit(5, asn1.integer(300)).hex() == "8502012c"
    # A constructed element stays constructed under an implicit tag.
    assert asn1.implicit(1, asn1.sequence())[0] == 0xA1


@pytest.mark.parametrize("bad", ["Bäcker", "a_b", "a;b", "a*b", "x\n"])
def test_printable_string_refuses_other_characters(bad: str) -> None:
    with pytest.raises(ValueError):
        asn1.printable_string(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "04",  # truncated
        "0402aa",  # content shorter than its length
        "0480",  # indefinite length
        "04817f" + "00" * 127,  # long form for a short length
        "0482007f" + "00" * 127,  # leading zero in the length
        "1f0100",  # multi-byte tag
    ],
)
def test_decoder_refuses_what_is_not_der(bad: str) -> None:
    with pytest.raises(ValueError):
        asn1.read_single(bytes.fromhex(bad))


def test_read_all_and_trailing_bytes() -> None:
    data = asn1.integer(1) + asn1.octet_string(b"ab")
    assert [e.tag for e in asn1.read_all(data)] == [asn1.TAG_INTEGER, asn1.TAG_OCTET_STRING]
    with pytest.raises(ValueError):
        asn1.read_single(data)
