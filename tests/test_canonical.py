"""The canonical form plan compares: decimals exact at any precision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opconf.canonical import decimal_text, integer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1250.50"), "1250.5"),
        (Decimal("1e3"), "1000"),
        (Decimal("-0.0"), "0"),
        (Decimal("0E+5"), "0"),
        (Decimal("1E-30"), "0.000000000000000000000000000001"),
        # past the 28 digits of the default decimal context: nothing rounded
        (Decimal("123456789012345678901234567890.5"), "123456789012345678901234567890.5"),
        (Decimal("9" * 40 + ".000"), "9" * 40),
        ("10.50", "10.5"),  # the store's text (SQLite)
        (12, "12"),
        (None, None),
    ],
)
def test_decimal_text_is_exact_and_normalised(value: object, expected: str | None) -> None:
    assert decimal_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(10, 10), (Decimal("1e1"), 10), (None, None)])
def test_integer_fields_are_ints(value: object, expected: int | None) -> None:
    result = integer(value)
    assert result == expected and type(result) is type(expected)
