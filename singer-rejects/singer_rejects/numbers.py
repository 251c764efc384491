"""How many decimal places a value needs: a target refuses one its destination would round."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def decimal_places(value: Any) -> int:
    """The places a number, or a number's text, needs (`1.10` needs 1, `100` and text none)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int | str):
        return 0
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return 0
    if not number.is_finite():
        return 0
    exponent = number.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0
