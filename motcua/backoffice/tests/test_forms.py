"""What the back-office forms render, whatever the language of the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from motcua.backoffice.forms import ActionForm, RegisterForm
from motcua.dossiers.rules import Action


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_inputs_render_iso_dates(language: str) -> None:
    with translation.override(language):
        apology = ActionForm(Action.ISSUE_APOLOGY, initial={"new_due": date(2025, 3, 14)})
        register = RegisterForm(initial={"tu": date(2025, 3, 1), "den": date(2025, 3, 31)})
        assert 'type="date"' in str(apology["new_due"])
        assert 'value="2025-03-14"' in str(apology["new_due"])
        assert 'value="2025-03-01"' in str(register["tu"])
        assert 'value="2025-03-31"' in str(register["den"])


def test_a_typed_date_sent_back_is_shown_in_iso() -> None:
    """A browser without a date picker sends what was typed (day first); shown again
    (the range is wrong), it is ISO so that a picker can read it."""
    with translation.override("vi"):
        form = RegisterForm({"tu": "31/03/2025", "den": "01.03.2025"})
        assert not form.is_valid()
        assert 'value="2025-03-31"' in str(form["tu"])
        assert 'value="2025-03-01"' in str(form["den"])
        unreadable = RegisterForm({"tu": "hôm qua", "den": ""})
        assert 'value="hôm qua"' in str(unreadable["tu"])
