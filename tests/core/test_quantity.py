"""Kubernetes quantities, read exactly."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s.quantity import format_like, parse

SUFFIXES = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def test_the_forms_the_api_server_writes() -> None:
    assert parse("250m") == Fraction(1, 4)
    assert parse("1.5Gi") == 1536 * 2**20
    assert parse("2e3") == 2000
    assert parse("100n") == Fraction(1, 10**7)
    assert parse(2) == 2 and parse(0.5) == Fraction(1, 2)
    assert parse(".5") == Fraction(1, 2) and parse("1.") == 1


def test_what_is_not_a_quantity() -> None:
    for bad in ("", "Gi", "1.5 Gi", "1GiB", "ten", "1e", "1e9999", "--1", True, None, float("nan"), [1]):
        assert parse(bad) is None, bad


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(SUFFIXES)))
def test_integers_with_a_suffix_read_back_and_write_in_that_unit(number: int, suffix: str) -> None:
    value = parse(f"{number}{suffix}")
    assert value == number * SUFFIXES[suffix]
    assert value is not None and format_like(value, f"1{suffix}") == f"{number}{suffix}"


@given(st.text(max_size=12))
def test_any_text_is_a_value_or_none_never_an_error(text: str) -> None:
    value = parse(text)
    assert value is None or isinstance(value, Fraction)


def test_written_in_the_example_s_unit_where_exact() -> None:
    assert format_like(Fraction(9 * 2**30), "8Gi") == "9Gi"
    assert format_like(Fraction(9, 2), "4") == "4500m"
    assert format_like(Fraction(3 * 2**20), "8Gi") == "3145728"
