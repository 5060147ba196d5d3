"""Form widgets the pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

#: The only value format ``<input type="date">`` accepts (HTML, "valid date string"),
#: whatever the language of the page.
ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO ``YYYY-MM-DD``.

    Django's ``DateInput`` renders the first localized input format (``01/03/2025`` in
    Vietnamese), which a browser's date picker does not understand and shows as empty. A
    typed value sent back (a browser without a picker) is shown in ISO too when it parses.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            try:
                parsed = forms.DateField().to_python(value)
            except ValidationError:
                return value
            return parsed.strftime(ISO_DATE) if parsed else value
        return super().format_value(value)
