"""Labels and the back-office header (roles, notification badge)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django_otp import user_has_device

from motcua.backoffice.access import is_counter, may_print_register, staff_user
from motcua.backoffice.queries import inbox, unread_count
from motcua.dossiers.queries import may_see_dashboard
from motcua.dossiers.rules import (
    ACTION_LABELS_VI,
    ACTOR_LABELS_VI,
    Action,
    Actor,
    apology_timing_note,
)

register = template.Library()

LEVEL_LABELS = {
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
    "ok": "Trong hạn",
    "running": "Đang xử lý",
    "paused": "Tạm dừng",
    "finished": "Đã giải quyết xong",
    "closed": "Đã kết thúc",
    "waiting": "Chờ tiếp nhận",
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "pending": "Chưa đến",
    "skipped": "Bỏ qua",
}
#: How an action's button looks: the step forward, a refusal, or anything else.
PRIMARY = {
    Action.ACCEPT,
    Action.FORWARD,
    Action.SUBMIT_FOR_SIGNATURE,
    Action.SIGN,
    Action.ASSIGN,
    Action.RETURN_RESULT,
    Action.MARK_RESULT_READY,
    Action.SUPPLEMENT,
    Action.RECORD_PAYMENT,
}
DANGER = {Action.REFUSE_INTAKE, Action.REJECT, Action.STOP}
RETURN_METHODS = {"counter": "Tại bộ phận một cửa", "online": "Trực tuyến", "post": "Bưu chính"}


@register.filter
def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


#: Where staff record what the applicant did, the button says so.
STAFF_ACTION_LABELS = {
    Action.REQUEST_WITHDRAWAL: "Ghi nhận yêu cầu rút hồ sơ của người nộp",
    Action.SUPPLEMENT: "Ghi nhận hồ sơ bổ sung của người nộp",
}


@register.filter
def action_label(action: Action | str) -> str:
    try:
        act = Action(action)
    except ValueError:
        return str(action)
    return STAFF_ACTION_LABELS.get(act) or ACTION_LABELS_VI[act]


@register.filter
def apology_note(notice: str | None) -> str:
    """What the log says of an apology given late (the event's ``notice``), else ""."""
    return apology_timing_note(notice)


@register.filter
def action_style(action: Action | str) -> str:
    act = Action(action)
    return "primary" if act in PRIMARY else "danger" if act in DANGER else "secondary"


@register.filter
def role_label(role: str) -> str:
    try:
        return ACTOR_LABELS_VI[Actor(role)]
    except ValueError:
        return role or ""


@register.filter
def return_method_label(value: str) -> str:
    return RETURN_METHODS.get(value, value)


@register.simple_tag(takes_context=True)
def backoffice_nav(context: Any) -> dict[str, Any]:
    """What the back-office bar shows the current user (a few queries, not per row)."""
    request = context.get("request")
    user = staff_user(request) if request is not None else None
    if user is None:
        return {}
    return {
        "counter": is_counter(user),
        "dashboard": may_see_dashboard(user),
        "register": may_print_register(user),
        "unread": unread_count(user),
        "latest": inbox(user, 5, unread_only=True),
        "two_factor": user_has_device(user, confirmed=True),
    }


@register.filter
def iso_local(value: str) -> str:
    """An ISO 8601 instant from an event's payload, as local "HH:MM dd/mm/yyyy"."""
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        return instant.strftime("%H:%M %d/%m/%Y")
    return timezone.localtime(instant).strftime("%H:%M %d/%m/%Y")
