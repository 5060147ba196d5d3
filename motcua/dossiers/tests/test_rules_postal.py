"""Postal item numbers: the UPU S10 check digit and what a number may look like."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.rules import (
    normalise_item_number,
    postal_item_problem,
    s10_check_digit,
    s10_item_number,
)


def test_the_s10_check_digit_of_the_upu_examples() -> None:
    # 47312482 → 8·4+6·7+4·3+2·1+3·2+5·4+9·8+7·2 = 200; 11 − 200 mod 11 = 9.
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("12345678") == 5
    assert s10_item_number("EL", 12345678) == "EL123456785VN"


@given(st.integers(min_value=0, max_value=10**8 - 1), st.sampled_from(["EL", "RR", "EB"]))
def test_every_generated_s10_number_is_accepted(serial: int, service: str) -> None:
    assert postal_item_problem(s10_item_number(service, serial)) is None


@given(st.integers(min_value=0, max_value=10**8 - 1), st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_caught(serial: int, shift: int) -> None:
    number = s10_item_number("EL", serial)
    wrong = number[:10] + str((int(number[10]) + shift) % 10) + number[11:]
    assert "sai chữ số kiểm tra" in (postal_item_problem(wrong) or "")


@pytest.mark.parametrize("number", ["el 123456785 vn", "1234567890123", "VTP20250301001"])
def test_numbers_of_other_shapes_and_spacing_are_accepted(number: str) -> None:
    assert postal_item_problem(number) is None


@pytest.mark.parametrize("number", ["12", "EL-123-456", "ÉL123456785VN", "A" * 31, "số 12345678"])
def test_malformed_numbers_are_refused_with_a_reason(number: str) -> None:
    problem = postal_item_problem(number)
    assert problem is not None and "chữ cái không dấu và chữ số" in problem


def test_normalising_drops_spaces_and_upper_cases() -> None:
    assert normalise_item_number(" el 1234 5678 5vn ") == "EL123456785VN"
