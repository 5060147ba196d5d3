"""The search form of the public procedure list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog import queries
from motcua.catalog.models import Level, OnlineLevel


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=[("", _("Tất cả các cấp")), *Level.choices],
    )
    agency = forms.ChoiceField(label=_("Nơi tiếp nhận"), required=False)
    online_level = forms.ChoiceField(
        label=_("Dịch vụ trực tuyến"),
        required=False,
        choices=[("", _("Tất cả")), *OnlineLevel.choices],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choice: Any = self.fields["field"]
        field_choice.choices = [("", _("Tất cả lĩnh vực")), *queries.field_choices()]
        agency_choice: Any = self.fields["agency"]
        agency_choice.choices = [("", _("Mọi nơi")), *queries.offering_agency_choices()]

    def search_arguments(self) -> dict[str, Any]:
        """Arguments for ``search_procedures`` from the values that are valid; the others
        are shown as errors and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "field": data.get("field") or None,
            "level": data.get("level") or None,
            "agency": data.get("agency") or None,
            "online_level": data.get("online_level") or None,
        }

    def page_number(self) -> int:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("page") or 1
