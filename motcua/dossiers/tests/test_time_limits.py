"""Time limits as the receipt slip promises them."""


def test_a_limit_under_one_day_is_never_zero_days() -> None:
    from decimal import Decimal

    from motcua.catalog.rules import whole_working_days

    assert whole_working_days(Decimal("0.125")) == 1
    assert whole_working_days(Decimal("3")) == 3
    assert whole_working_days(Decimal("2.5")) == 3
