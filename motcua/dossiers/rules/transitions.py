"""Who may do what to a dossier, and what status follows: ONE data table.

Pure: no Django, no I/O. The service layer checks a move with :func:`transition_for` /
:func:`next_status` before writing; the UI shows :func:`allowed_actions`.

The table says which *role* may act in which *status*. Whether this particular officer
holds the dossier now (the current step of the internal process, the unit, the agency)
is checked by the service layer, not here.

Creation is part of the table: the key ``(None, action)`` means "no dossier yet".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from motcua.accounts.roles import ROLE_LABELS_VI, Role
from motcua.dossiers.rules.late import APOLOGY_ONLY_ONCE_VI, MAX_APOLOGIES
from motcua.dossiers.rules.statuses import STATUS_LABELS_VI, Status

__all__ = [
    "ACTIONS_NEEDING_REASON",
    "ACTION_LABELS_VI",
    "ACTOR_LABELS_VI",
    "MAX_APOLOGIES",
    "MAX_SUPPLEMENT_REQUESTS",
    "STAFF_ACTORS",
    "TRANSITIONS",
    "Action",
    "ActionNotAllowed",
    "Actor",
    "ApologyAlreadyIssued",
    "ReasonRequired",
    "SupplementAlreadyRequested",
    "Transition",
    "actor_for_role",
    "allowed_actions",
    "next_status",
    "require_reason",
    "transition_for",
]

#: Decree 118/2025/NĐ-CP art. 11: a supplement/correction may be requested only once.
MAX_SUPPLEMENT_REQUESTS: Final = 1
# MAX_APOLOGIES (the new appointment only once) is the late-dossier rule's: rules.late.


class Action(StrEnum):
    SUBMIT_ONLINE = "submit_online"  # nộp trực tuyến (người nộp / Cổng DVC quốc gia)
    ACCEPT = "accept"  # tiếp nhận, cấp mã và giấy tiếp nhận, hẹn trả kết quả
    REFUSE_INTAKE = "refuse_intake"  # từ chối tiếp nhận (phiếu từ chối, mẫu 03)
    ASSIGN = "assign"  # phân công chuyên viên xử lý
    FORWARD = "forward"  # chuyển bước tiếp theo / cơ quan tiếp theo (liên thông)
    RETURN_TO_PREVIOUS = "return_to_previous"  # trả lại bước trước (nêu lý do)
    REQUEST_SUPPLEMENT = "request_supplement"  # yêu cầu bổ sung, hoàn thiện (mẫu 02)
    SUPPLEMENT = "supplement"  # người nộp bổ sung hồ sơ
    REQUEST_PAYMENT = "request_payment"  # thông báo nghĩa vụ tài chính
    RECORD_PAYMENT = "record_payment"  # ghi nhận đã thực hiện nghĩa vụ tài chính
    REQUEST_WITHDRAWAL = "request_withdrawal"  # người nộp yêu cầu rút / dừng xử lý
    STOP = "stop"  # thông báo dừng xử lý
    SUBMIT_FOR_SIGNATURE = "submit_for_signature"  # trình ký
    SIGN = "sign"  # phê duyệt, ký kết quả
    REJECT = "reject"  # từ chối giải quyết (nêu lý do)
    MARK_RESULT_READY = "mark_result_ready"  # có kết quả (vd. từ cơ quan khác)
    RETURN_RESULT = "return_result"  # trả kết quả (tại quầy / trực tuyến / bưu chính)
    ISSUE_APOLOGY = "issue_apology"  # thư xin lỗi và hẹn lại ngày trả (mẫu 04)


ACTION_LABELS_VI: Final[Mapping[Action, str]] = MappingProxyType(
    {
        Action.SUBMIT_ONLINE: "Nộp hồ sơ trực tuyến",
        Action.ACCEPT: "Tiếp nhận hồ sơ",
        Action.REFUSE_INTAKE: "Từ chối tiếp nhận",
        Action.ASSIGN: "Phân công xử lý",
        Action.FORWARD: "Chuyển bước tiếp theo",
        Action.RETURN_TO_PREVIOUS: "Trả lại bước trước",
        Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        Action.SUPPLEMENT: "Bổ sung hồ sơ",
        Action.REQUEST_PAYMENT: "Thông báo nghĩa vụ tài chính",
        Action.RECORD_PAYMENT: "Ghi nhận hoàn thành nghĩa vụ tài chính",
        Action.REQUEST_WITHDRAWAL: "Yêu cầu rút hồ sơ",
        Action.STOP: "Dừng xử lý",
        Action.SUBMIT_FOR_SIGNATURE: "Trình ký",
        Action.SIGN: "Phê duyệt, ký kết quả",
        Action.REJECT: "Từ chối giải quyết",
        Action.MARK_RESULT_READY: "Cập nhật có kết quả",
        Action.RETURN_RESULT: "Trả kết quả",
        Action.ISSUE_APOLOGY: "Xin lỗi và hẹn lại ngày trả kết quả",
    }
)


class Actor(StrEnum):
    """Who acts on a dossier. Staff values are identical to :class:`Role` values."""

    COUNTER_OFFICER = Role.COUNTER_OFFICER.value
    SPECIALIST = Role.SPECIALIST.value
    UNIT_HEAD = Role.UNIT_HEAD.value
    AGENCY_LEADER = Role.AGENCY_LEADER.value
    CLERK = Role.CLERK.value
    APPLICANT = "applicant"  # tổ chức, cá nhân nộp hồ sơ
    SYSTEM = "system"  # hệ thống: đồng bộ Cổng DVC quốc gia, nền tảng thanh toán, liên thông


STAFF_ACTORS: Final = frozenset(
    {Actor.COUNTER_OFFICER, Actor.SPECIALIST, Actor.UNIT_HEAD, Actor.AGENCY_LEADER, Actor.CLERK}
)

ACTOR_LABELS_VI: Final[Mapping[Actor, str]] = MappingProxyType(
    {
        **{a: ROLE_LABELS_VI[Role(a.value)] for a in Actor if a in STAFF_ACTORS},
        Actor.APPLICANT: "Tổ chức, cá nhân nộp hồ sơ",
        Actor.SYSTEM: "Hệ thống (đồng bộ, liên thông)",
    }
)


def actor_for_role(role: Role | str) -> Actor | None:
    """The actor a staff role acts as; ``None`` for roles that never act on dossiers."""
    value = Role(role).value
    return Actor(value) if value in {a.value for a in STAFF_ACTORS} else None


@dataclass(frozen=True)
class Transition:
    """One row of the table: the status reached, who may act, and what the act needs."""

    to: Status
    actors: frozenset[Actor]
    needs_reason: bool = False
    #: Counts as a supplement request for the "only once" rule (Decree 118 art. 11).
    is_supplement_request: bool = False
    #: An apology with a new appointment: allowed only once.
    is_apology: bool = False
    #: Where the rule comes from (shown to developers, not to users).
    legal_basis: str = ""


C = Actor.COUNTER_OFFICER
S = Actor.SPECIALIST
U = Actor.UNIT_HEAD
L = Actor.AGENCY_LEADER
K = Actor.CLERK
A = Actor.APPLICANT
Y = Actor.SYSTEM

#: Staff who hold a dossier while it is processed and hand it over (process-control slip).
_HOLDERS = frozenset({S, U, L, K})
#: The applicant acts online (A), through the national portal sync (Y) or at the counter,
#: where the counter officer records it (C).
_APPLICANT_SIDE = frozenset({A, Y, C})


def _t(to: Status, actors: frozenset[Actor] | set[Actor], **kw: Any) -> Transition:
    return Transition(to=to, actors=frozenset(actors), **kw)


_D118_11 = "NĐ 118/2025/NĐ-CP Điều 11 (chỉ yêu cầu bổ sung một lần); TT 03/2025 mẫu 02"
_D118_15 = "NĐ 118/2025/NĐ-CP Điều 15, 17; TT 03/2025/TT-VPCP Điều 5"
_D118_21 = "NĐ 118/2025/NĐ-CP Điều 21; TT 03/2025/TT-VPCP Điều 7 (thông báo dừng xử lý)"
_APOLOGY = (
    "Xin lỗi, hẹn lại một lần, trước hạn ít nhất 01 ngày làm việc; hồ sơ đã trễ vẫn được "
    "xin lỗi và hẹn lại (rules.late.ApologyRule) [điều khoản chưa xác minh]"
)
_REFUSAL = "Phiếu từ chối tiếp nhận / từ chối giải quyết, nêu rõ lý do (TT 03/2025 mẫu 03)"
_RETURN = "Trả kết quả tại quầy, bưu chính hoặc trực tuyến (NĐ 45/2020 Điều 14, 16, 18)"

_ST = Status
_ACT = Action

#: (status, action) -> Transition. ``None`` as the status: no dossier yet (creation).
TRANSITIONS: Final[Mapping[tuple[Status | None, Action], Transition]] = MappingProxyType(
    {
        # ---- creation
        (None, _ACT.SUBMIT_ONLINE): _t(_ST.NEW_ONLINE, {A, Y}, legal_basis=_D118_15),
        # Direct (in person) or postal dossier entered and received at the counter.
        (None, _ACT.ACCEPT): _t(_ST.RECEIVED, {C}, legal_basis=_D118_15),
        # In-person dossier refused at the counter and recorded.
        (None, _ACT.REFUSE_INTAKE): _t(
            _ST.REFUSED_INTAKE, {C}, needs_reason=True, legal_basis=_REFUSAL
        ),
        # ---- online queue (national 1)
        (_ST.NEW_ONLINE, _ACT.ACCEPT): _t(_ST.RECEIVED, {C}, legal_basis=_D118_15),
        (_ST.NEW_ONLINE, _ACT.REFUSE_INTAKE): _t(
            _ST.REFUSED_INTAKE, {C}, needs_reason=True, legal_basis=_REFUSAL
        ),
        (_ST.NEW_ONLINE, _ACT.REQUEST_SUPPLEMENT): _t(
            _ST.INTAKE_SUPPLEMENT_REQUESTED,
            {C},
            needs_reason=True,
            is_supplement_request=True,
            legal_basis=_D118_11,
        ),
        (_ST.NEW_ONLINE, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        # ---- online dossier sent back for completion before receipt (national 5)
        (_ST.INTAKE_SUPPLEMENT_REQUESTED, _ACT.SUPPLEMENT): _t(
            _ST.NEW_ONLINE, _APPLICANT_SIDE, legal_basis=_D118_11
        ),
        (_ST.INTAKE_SUPPLEMENT_REQUESTED, _ACT.REFUSE_INTAKE): _t(
            _ST.REFUSED_INTAKE, {C}, needs_reason=True, legal_basis=_REFUSAL
        ),
        (_ST.INTAKE_SUPPLEMENT_REQUESTED, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        # ---- received at the one-stop unit (national 2)
        # Hand over to the deciding agency / unit (process-control slip), or assign a
        # specialist directly (e.g. commune-level procedures).
        (_ST.RECEIVED, _ACT.FORWARD): _t(_ST.IN_PROGRESS, {C}),
        (_ST.RECEIVED, _ACT.ASSIGN): _t(_ST.IN_PROGRESS, {C}),
        (_ST.RECEIVED, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        (_ST.RECEIVED, _ACT.ISSUE_APOLOGY): _t(
            _ST.RECEIVED, {L}, needs_reason=True, is_apology=True, legal_basis=_APOLOGY
        ),
        # ---- in progress (national 4)
        (_ST.IN_PROGRESS, _ACT.ASSIGN): _t(_ST.IN_PROGRESS, {U, L}),
        # The counter forwards again a dossier sent back to its receiving step.
        (_ST.IN_PROGRESS, _ACT.FORWARD): _t(_ST.IN_PROGRESS, _HOLDERS | {C}),
        (_ST.IN_PROGRESS, _ACT.RETURN_TO_PREVIOUS): _t(
            _ST.IN_PROGRESS, _HOLDERS, needs_reason=True
        ),
        (_ST.IN_PROGRESS, _ACT.REQUEST_SUPPLEMENT): _t(
            _ST.SUPPLEMENT_REQUESTED,
            {S, U, L},
            needs_reason=True,
            is_supplement_request=True,
            legal_basis=_D118_11,
        ),
        (_ST.IN_PROGRESS, _ACT.REQUEST_PAYMENT): _t(_ST.AWAITING_PAYMENT, {C, S, U}),
        (_ST.IN_PROGRESS, _ACT.SUBMIT_FOR_SIGNATURE): _t(_ST.AWAITING_SIGNATURE, {S, U}),
        (_ST.IN_PROGRESS, _ACT.REJECT): _t(
            _ST.REJECTED, {L}, needs_reason=True, legal_basis=_REFUSAL
        ),
        # A result produced elsewhere (another agency of an interconnected process, a
        # paper result registered by the clerk).
        (_ST.IN_PROGRESS, _ACT.MARK_RESULT_READY): _t(_ST.PROCESSED, {C, K, Y}),
        (_ST.IN_PROGRESS, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        (_ST.IN_PROGRESS, _ACT.ISSUE_APOLOGY): _t(
            _ST.IN_PROGRESS, {L}, needs_reason=True, is_apology=True, legal_basis=_APOLOGY
        ),
        # ---- awaiting signature (national 4)
        (_ST.AWAITING_SIGNATURE, _ACT.SIGN): _t(_ST.PROCESSED, {L}),
        (_ST.AWAITING_SIGNATURE, _ACT.RETURN_TO_PREVIOUS): _t(
            _ST.IN_PROGRESS, {L}, needs_reason=True
        ),
        (_ST.AWAITING_SIGNATURE, _ACT.REJECT): _t(
            _ST.REJECTED, {L}, needs_reason=True, legal_basis=_REFUSAL
        ),
        (_ST.AWAITING_SIGNATURE, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        (_ST.AWAITING_SIGNATURE, _ACT.ISSUE_APOLOGY): _t(
            _ST.AWAITING_SIGNATURE, {L}, needs_reason=True, is_apology=True, legal_basis=_APOLOGY
        ),
        # ---- supplement requested (national 5; clock stopped)
        (_ST.SUPPLEMENT_REQUESTED, _ACT.SUPPLEMENT): _t(
            _ST.IN_PROGRESS, _APPLICANT_SIDE, legal_basis=_D118_11
        ),
        (_ST.SUPPLEMENT_REQUESTED, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        # The applicant never supplied the documents: the unit stops processing.
        (_ST.SUPPLEMENT_REQUESTED, _ACT.STOP): _t(
            _ST.STOPPED, {U, L}, needs_reason=True, legal_basis=_D118_21
        ),
        # ---- waiting for the financial obligation (national 6; clock stopped)
        (_ST.AWAITING_PAYMENT, _ACT.RECORD_PAYMENT): _t(_ST.IN_PROGRESS, {C, S, Y}),
        (_ST.AWAITING_PAYMENT, _ACT.REQUEST_WITHDRAWAL): _t(
            _ST.WITHDRAWAL_REQUESTED, _APPLICANT_SIDE, legal_basis=_D118_21
        ),
        (_ST.AWAITING_PAYMENT, _ACT.STOP): _t(
            _ST.STOPPED, {U, L}, needs_reason=True, legal_basis=_D118_21
        ),
        # ---- withdrawal requested (national 7): the unit issues the stop notice
        (_ST.WITHDRAWAL_REQUESTED, _ACT.STOP): _t(
            _ST.WITHDRAWN, {C, U, L}, needs_reason=True, legal_basis=_D118_21
        ),
        # ---- processed, result ready (national 9)
        # Hand the result over to the one-stop unit (process-control slip).
        (_ST.PROCESSED, _ACT.FORWARD): _t(_ST.PROCESSED, _HOLDERS),
        (_ST.PROCESSED, _ACT.RETURN_RESULT): _t(_ST.RETURNED, {C, Y}, legal_basis=_RETURN),
    }
)

del C, S, U, L, K, A, Y

#: Actions that need a written reason wherever they are allowed (the refusal slip, the
#: supplement request form, the stop notice, the apology, a return to the previous step).
ACTIONS_NEEDING_REASON: Final = frozenset(
    action for (_, action), row in TRANSITIONS.items() if row.needs_reason
)


# --------------------------------------------------------------------------- errors


def _status_label(status: Status | None) -> str:
    return "Chưa có hồ sơ" if status is None else STATUS_LABELS_VI[status]


class ActionNotAllowed(Exception):
    """The (status, action, actor) combination is not in the table (or a limit is hit).

    Machine-readable fields: ``code``, ``status``, ``action``, ``actor``,
    ``allowed_actions``; ``str(error)`` is a Vietnamese sentence for the user.
    """

    code = "action_not_allowed"

    def __init__(
        self,
        status: Status | None,
        action: Action,
        actor: Actor,
        allowed_actions: list[Action],
        detail: str | None = None,
    ) -> None:
        self.status = status
        self.action = action
        self.actor = actor
        self.allowed_actions = list(allowed_actions)
        if detail is None:
            detail = (
                f"Không thể thực hiện «{ACTION_LABELS_VI[action]}» khi hồ sơ ở trạng thái "
                f"«{_status_label(status)}» với vai trò «{ACTOR_LABELS_VI[actor]}»."
            )
        if self.allowed_actions:
            labels = ", ".join(f"«{ACTION_LABELS_VI[a]}»" for a in self.allowed_actions)
            allowed = f" Các thao tác được phép: {labels}."
        else:
            allowed = " Không có thao tác nào được phép."
        self.message = detail + allowed
        super().__init__(self.message)

    def to_dict(self) -> dict[str, object]:
        """For API error bodies."""
        return {
            "code": self.code,
            "message": self.message,
            "status": None if self.status is None else self.status.value,
            "action": self.action.value,
            "actor": self.actor.value,
            "allowed_actions": [a.value for a in self.allowed_actions],
        }


class SupplementAlreadyRequested(ActionNotAllowed):
    """A second supplement request (Decree 118/2025/NĐ-CP art. 11: only once)."""

    code = "supplement_already_requested"

    def __init__(
        self, status: Status | None, action: Action, actor: Actor, allowed_actions: list[Action]
    ) -> None:
        super().__init__(
            status,
            action,
            actor,
            allowed_actions,
            "Hồ sơ đã được yêu cầu bổ sung, hoàn thiện một lần; chỉ được yêu cầu bổ sung "
            "một lần (Nghị định 118/2025/NĐ-CP, Điều 11).",
        )


class ApologyAlreadyIssued(ActionNotAllowed):
    """A second apology / new appointment (allowed only once) [article unverified]."""

    code = "apology_already_issued"

    def __init__(
        self, status: Status | None, action: Action, actor: Actor, allowed_actions: list[Action]
    ) -> None:
        super().__init__(
            status,
            action,
            actor,
            allowed_actions,
            APOLOGY_ONLY_ONCE_VI,
        )


class ReasonRequired(ValueError):
    """The action needs a reason (refusal, return, supplement request, stop, apology...)."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(f"Thao tác «{ACTION_LABELS_VI[action]}» cần ghi rõ lý do.")


# --------------------------------------------------------------------------- lookups


def _coerce_status(status: Status | str | None) -> Status | None:
    return None if status is None else Status(status)


def _permitted(
    status: Status | None,
    action: Action,
    actor: Actor,
    supplement_requests_so_far: int,
    apologies_so_far: int,
) -> tuple[Transition | None, type[ActionNotAllowed] | None]:
    row = TRANSITIONS.get((status, action))
    if row is None or actor not in row.actors:
        return None, ActionNotAllowed
    if row.is_supplement_request and supplement_requests_so_far >= MAX_SUPPLEMENT_REQUESTS:
        return None, SupplementAlreadyRequested
    if row.is_apology and apologies_so_far >= MAX_APOLOGIES:
        return None, ApologyAlreadyIssued
    return row, None


def _check_counts(supplement_requests_so_far: int, apologies_so_far: int) -> None:
    if supplement_requests_so_far < 0 or apologies_so_far < 0:
        raise ValueError("counts of earlier requests cannot be negative")


def allowed_actions(
    status: Status | str | None,
    actor: Actor | str,
    *,
    supplement_requests_so_far: int = 0,
    apologies_so_far: int = 0,
) -> list[Action]:
    """Exactly the actions ``actor`` may take now on a dossier in ``status``.

    ``status=None``: no dossier yet (what may create one). Order: :class:`Action` order.
    ``supplement_requests_so_far`` counts earlier supplement requests of the dossier (at
    intake and during processing); ``apologies_so_far`` earlier apologies.
    """
    st, who = _coerce_status(status), Actor(actor)
    _check_counts(supplement_requests_so_far, apologies_so_far)
    return [
        a
        for a in Action
        if _permitted(st, a, who, supplement_requests_so_far, apologies_so_far)[0] is not None
    ]


def transition_for(
    status: Status | str | None,
    action: Action | str,
    actor: Actor | str,
    *,
    supplement_requests_so_far: int = 0,
    apologies_so_far: int = 0,
) -> Transition:
    """The table row for the move, or raise :class:`ActionNotAllowed` (or a subclass)."""
    st, act, who = _coerce_status(status), Action(action), Actor(actor)
    _check_counts(supplement_requests_so_far, apologies_so_far)
    row, error = _permitted(st, act, who, supplement_requests_so_far, apologies_so_far)
    if row is None:
        assert error is not None
        allowed = allowed_actions(
            st,
            who,
            supplement_requests_so_far=supplement_requests_so_far,
            apologies_so_far=apologies_so_far,
        )
        raise error(st, act, who, allowed)
    return row


def next_status(
    status: Status | str | None,
    action: Action | str,
    actor: Actor | str,
    *,
    supplement_requests_so_far: int = 0,
    apologies_so_far: int = 0,
) -> Status:
    """The status after ``actor`` does ``action`` in ``status``.

    Raises :class:`ActionNotAllowed` when the combination is not in :data:`TRANSITIONS`,
    :class:`SupplementAlreadyRequested` for a second supplement request (Decree
    118/2025/NĐ-CP art. 11) and :class:`ApologyAlreadyIssued` for a second apology.
    Reasons are checked with :func:`require_reason`.
    """
    return transition_for(
        status,
        action,
        actor,
        supplement_requests_so_far=supplement_requests_so_far,
        apologies_so_far=apologies_so_far,
    ).to


def require_reason(action: Action | str, reason: str | None) -> str:
    """The stripped reason; :class:`ReasonRequired` if ``action`` needs one and it is blank."""
    act = Action(action)
    text = (reason or "").strip()
    if act in ACTIONS_NEEDING_REASON and not text:
        raise ReasonRequired(act)
    return text
