"""The counter's procedure picker finds procedures however the officer types "ký"."""

import pytest

from motcua.dossiers.queries import receivable_offerings
from motcua.testing.personas import Province


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["dang ky khai sinh", "đăng ký khai sinh", "dang ki khai sinh", "ĐĂNG KÝ", "2.000986"]
)
def test_it_finds_the_procedure_with_or_without_accents(province: Province, typed: str) -> None:
    found = receivable_offerings(province.counter, typed)
    assert [o.procedure.code for o in found] == ["2.000986"]


@pytest.mark.django_db
def test_it_finds_nothing_for_an_unknown_name(province: Province) -> None:
    assert receivable_offerings(province.counter, "cap giay phep lai tau bay") == []
