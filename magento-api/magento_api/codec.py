"""JSON with money kept exact: numbers that have a fraction travel as `Decimal` both ways."""

from __future__ import annotations

import typing as t
from decimal import Decimal

import msgspec

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def encode_json(value: object) -> bytes:
    """Serialise with `Decimal` written as a JSON number, so prices travel exactly."""
    return _ENCODER.encode(value)


def decode_json(data: bytes | str) -> t.Any:
    """Parse JSON with numbers that have a fraction as `Decimal`."""
    return _DECODER.decode(data)
