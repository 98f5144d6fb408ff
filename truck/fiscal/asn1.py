"""A minimal DER encoder and decoder: just what the TSE's log messages need.

BSI TR-03151 defines the signed log messages in ASN.1 and demands DER. The few types they use
(INTEGER, OCTET STRING, PrintableString, OBJECT IDENTIFIER, SEQUENCE and context-specific
implicit tags) are simple enough to encode here, which keeps ``truck.fiscal`` free of an ASN.1
library. Only single-byte tags (tag numbers below 31) are supported; the log messages need no
others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAG_INTEGER = 0x02
TAG_OCTET_STRING = 0x04
TAG_OBJECT_IDENTIFIER = 0x06
TAG_PRINTABLE_STRING = 0x13
TAG_SEQUENCE = 0x30  # universal 16 with the constructed bit set

CLASS_CONTEXT = 0x80
CONSTRUCTED = 0x20

_PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")
_OID = re.compile(r"\d+(?:\.\d+)+")


# --- encoding -----------------------------------------------------------------------------


def encode_length(length: int) -> bytes:
    """Definite length in its shortest form, as DER requires."""
    if length < 0:
        raise ValueError("length must not be negative")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One element: tag, length, content."""
    if not 0 <= tag <= 0xFF or tag & 0x1F == 0x1F:
        raise ValueError(f"only single-byte tags are supported, got {tag:#x}")
    return bytes([tag]) + encode_length(len(content)) + content


def integer(value: int) -> bytes:
    """INTEGER in minimal two's complement: 0 → 02 01 00, -129 → 02 02 FF 7F."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"INTEGER needs an int, got {type(value).__name__}")
    # ~value maps -1..-128 onto 0..127, so both signs need one bit more than this for the sign.
    magnitude = value if value >= 0 else ~value
    size = magnitude.bit_length() // 8 + 1
    return tlv(TAG_INTEGER, value.to_bytes(size, "big", signed=True))


def octet_string(value: bytes) -> bytes:
    return tlv(TAG_OCTET_STRING, bytes(value))


def printable_string(value: str) -> bytes:
    """PrintableString; refuses characters outside its small alphabet (no umlauts, no _)."""
    if _PRINTABLE.fullmatch(value) is None:
        raise ValueError(f"„{value}“ ist kein PrintableString (erlaubt: A-Z a-z 0-9 '()+,-./:=? )")
    return tlv(TAG_PRINTABLE_STRING, value.encode("ascii"))


def object_identifier(dotted: str) -> bytes:
    """OBJECT IDENTIFIER from its dotted form, e.g. ``0.4.0.127.0.7.3.7.1.1``."""
    if _OID.fullmatch(dotted) is None:
        raise ValueError(f"not an object identifier: {dotted!r}")
    arcs = [int(arc) for arc in dotted.split(".")]
    if arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39):
        raise ValueError(f"not an object identifier: {dotted!r}")
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        # Base 128, most significant group first, every byte but the last with the high bit.
        groups = [arc & 0x7F]
        arc >>= 7
        while arc:
            groups.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(groups))
    return tlv(TAG_OBJECT_IDENTIFIER, bytes(body))


def sequence(*elements: bytes) -> bytes:
    return tlv(TAG_SEQUENCE, b"".join(elements))


def implicit(number: int, element: bytes) -> bytes:
    """Retag an encoded element as context-specific ``[number] IMPLICIT``.

    Implicit tagging replaces the element's own tag and keeps its content, including whether
    it is constructed: ``implicit(0, printable_string("x"))`` gives ``80 01 78``.
    """
    if not 0 <= number < 31:
        raise ValueError(f"context tag number must be 0..30, got {number}")
    if not element:
        raise ValueError("nothing to tag")
    return bytes([CLASS_CONTEXT | (element[0] & CONSTRUCTED) | number]) + element[1:]


# --- decoding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    """One decoded element: its tag byte, its content and its complete encoding."""

    tag: int
    content: bytes
    encoded: bytes

    @property
    def constructed(self) -> bool:
        return bool(self.tag & CONSTRUCTED)


def read_element(data: bytes, offset: int = 0) -> tuple[Element, int]:
    """Decode the element at ``offset``; return it and the offset after it.

    Strict DER: definite, minimal lengths only. Raises ValueError on anything else.
    """
    if offset + 2 > len(data):
        raise ValueError("truncated DER element")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tags are not supported")
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0:
            raise ValueError("indefinite length is not DER")
        if position + count > len(data):
            raise ValueError("truncated DER length")
        length = int.from_bytes(data[position : position + count], "big")
        if length < 0x80 or data[position] == 0:
            raise ValueError("non-minimal DER length")
        position += count
    end = position + length
    if end > len(data):
        raise ValueError("truncated DER content")
    return Element(tag, bytes(data[position:end]), bytes(data[offset:end])), end


def read_all(data: bytes) -> list[Element]:
    """Decode a concatenation of elements (e.g. a SEQUENCE's content)."""
    elements: list[Element] = []
    offset = 0
    while offset < len(data):
        element, offset = read_element(data, offset)
        elements.append(element)
    return elements


def read_single(data: bytes) -> Element:
    """Decode exactly one element with nothing after it."""
    element, end = read_element(data)
    if end != len(data):
        raise ValueError("trailing bytes after DER element")
    return element


def decode_integer(content: bytes) -> int:
    if not content:
        raise ValueError("empty INTEGER")
    if len(content) > 1 and (
        (content[0] == 0x00 and content[1] < 0x80) or (content[0] == 0xFF and content[1] >= 0x80)
    ):
        raise ValueError("non-minimal INTEGER")
    return int.from_bytes(content, "big", signed=True)


def decode_object_identifier(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise ValueError("malformed OBJECT IDENTIFIER")
    values: list[int] = []
    current = 0
    fresh = True
    for byte in content:
        if fresh and byte == 0x80:
            raise ValueError("non-minimal OBJECT IDENTIFIER arc")
        current = (current << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            values.append(current)
            current = 0
    first = values[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + values[1:])
