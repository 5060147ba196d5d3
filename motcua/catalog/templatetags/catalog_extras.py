"""Template filters for procedure pages: amounts in đồng, fees, online-level tags."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureChannel

register = template.Library()

_ONLINE_TAG_CLASS = {
    "full_online": "tag full",
    "partial_online": "tag partial",
    "not_online": "tag muted",
    "unknown": "tag muted",
}


@register.filter
def vnd(amount: int | None) -> str:
    """12000 → "12.000 đồng" (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return _("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


@register.filter
def fee_label(channel: ProcedureChannel) -> str:
    """The fee as a citizen reads it: "Miễn phí", "20.000 đồng" or the source wording."""
    if channel.fee_vnd == 0:
        return _("Miễn phí")
    if channel.fee_vnd is not None:
        return vnd(channel.fee_vnd)
    return channel.fee_text or _("Không có thông tin")


@register.filter
def fee_note(channel: ProcedureChannel) -> str:
    """The note the source gives in parentheses after a fee it states as an amount.

    When the amount is unknown ``fee_label`` already shows the whole source wording.
    """
    text = channel.fee_text.strip()
    if channel.fee_vnd is None or "(" not in text:
        return ""
    note = text.split("(", 1)[1].strip()
    return note[:-1].strip() if note.endswith(")") else note


@register.filter
def online_tag_class(online_level: str) -> str:
    return _ONLINE_TAG_CLASS.get(online_level, "tag")
