"""``custom_plans``: worklist reads planned for their own values on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.core.db import custom_plans


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
def test_custom_plans_only_inside_and_reset_after_an_error() -> None:
    if connection.vendor != "postgresql":
        with custom_plans():  # nothing to do elsewhere
            pass
        return
    assert _mode() == "auto"
    with custom_plans():
        assert _mode() == "force_custom_plan"
    assert _mode() == "auto"
    with pytest.raises(ZeroDivisionError), custom_plans():
        1 / 0  # noqa: B018
    assert _mode() == "auto"
