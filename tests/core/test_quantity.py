"""Kubernetes quantities, read exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s.quantity import NANO, format_like, parse

SUFFIXES = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def test_the_forms_the_api_server_writes_in_nano_units() -> None:
    assert parse("250m") == NANO // 4
    assert parse("1.5Gi") == 1536 * 2**20 * NANO
    assert parse("2e3") == 2000 * NANO and parse("15e-1") == 3 * NANO // 2
    assert parse("100n") == 100
    assert parse(2) == 2 * NANO
    assert parse(".5") == NANO // 2 and parse("1.") == NANO and parse("-1m") == -(10**6)


def test_finer_than_a_nano_unit_rounds_up_as_the_api_server_does() -> None:
    assert parse("0.0000000001") == 1
    assert parse("1.5n") == 2 and parse("1e-10") == 1


def test_what_is_not_a_quantity() -> None:
    for bad in ("", ".", "Gi", "1.5 Gi", "1GiB", "ten", "1e", "1e9999", "--1", True, None, 0.5, [1]):
        assert parse(bad) is None, bad


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(SUFFIXES)))
def test_integers_with_a_suffix_read_back_and_write_in_that_unit(number: int, suffix: str) -> None:
    value = parse(f"{number}{suffix}")
    assert value == number * SUFFIXES[suffix] * NANO
    assert value is not None and format_like(value, f"1{suffix}") == f"{number}{suffix}"


@given(st.text(max_size=12))
def test_any_text_is_a_value_or_none_never_an_error(text: str) -> None:
    value = parse(text)
    assert value is None or isinstance(value, int)


def test_written_in_the_example_s_unit_where_exact() -> None:
    assert format_like(9 * 2**30 * NANO, "8Gi") == "9Gi"
    assert format_like(9 * NANO // 2, "4") == "4500m"
    assert format_like(3 * 2**20 * NANO, "8Gi") == "3145728"
    assert format_like(1, "1") == "1e-09"
