"""The transition table: every (status, action, actor) cell against an independent spec."""

from __future__ import annotations

import itertools

import pytest

from motcua.accounts.roles import Role
from motcua.dossiers.rules import (
    ACTION_LABELS_VI,
    ACTIONS_NEEDING_REASON,
    ACTOR_LABELS_VI,
    FINISHED,
    STATUS_LABELS_VI,
    TERMINAL,
    TRANSITIONS,
    Action,
    ActionNotAllowed,
    Actor,
    ApologyAlreadyIssued,
    ReasonRequired,
    Status,
    SupplementAlreadyRequested,
    actor_for_role,
    allowed_actions,
    next_status,
    require_reason,
    transition_for,
)

# The expected table, written out by hand. One line per (status, action):
#   <from status, "-" = no dossier yet>  <action>  <to status>  <actors>
# Actors: C counter_officer, S specialist, U unit_head, L agency_leader, K clerk,
#         A applicant, Y system.
# Any (status, action, actor) not listed here must be refused.
SPEC = """
-                            submit_online         new_online                   AY
-                            accept                received                     C
-                            refuse_intake         refused_intake               C
new_online                   accept                received                     C
new_online                   refuse_intake         refused_intake               C
new_online                   request_supplement    intake_supplement_requested  C
new_online                   request_withdrawal    withdrawal_requested         AYC
intake_supplement_requested  supplement            new_online                   AYC
intake_supplement_requested  refuse_intake         refused_intake               C
intake_supplement_requested  request_withdrawal    withdrawal_requested         AYC
received                     forward               in_progress                  C
received                     assign                in_progress                  C
received                     request_withdrawal    withdrawal_requested         AYC
received                     issue_apology         received                     L
in_progress                  assign                in_progress                  UL
in_progress                  forward               in_progress                  CSULK
in_progress                  return_to_previous    in_progress                  SULK
in_progress                  request_supplement    supplement_requested         SUL
in_progress                  request_payment       awaiting_payment             CSU
in_progress                  submit_for_signature  awaiting_signature           SU
in_progress                  reject                rejected                     L
in_progress                  mark_result_ready     processed                    CKY
in_progress                  request_withdrawal    withdrawal_requested         AYC
in_progress                  issue_apology         in_progress                  L
awaiting_signature           sign                  processed                    L
awaiting_signature           return_to_previous    in_progress                  L
awaiting_signature           reject                rejected                     L
awaiting_signature           request_withdrawal    withdrawal_requested         AYC
awaiting_signature           issue_apology         awaiting_signature           L
supplement_requested         supplement            in_progress                  AYC
supplement_requested         request_withdrawal    withdrawal_requested         AYC
supplement_requested         stop                  stopped                      UL
awaiting_payment             record_payment        in_progress                  CSY
awaiting_payment             request_withdrawal    withdrawal_requested         AYC
awaiting_payment             stop                  stopped                      UL
withdrawal_requested         stop                  withdrawn                    CUL
processed                    forward               processed                    SULK
processed                    return_result         returned                     CY
"""
ACTOR_CODES = {
    "C": Actor.COUNTER_OFFICER,
    "S": Actor.SPECIALIST,
    "U": Actor.UNIT_HEAD,
    "L": Actor.AGENCY_LEADER,
    "K": Actor.CLERK,
    "A": Actor.APPLICANT,
    "Y": Actor.SYSTEM,
}

NEEDS_REASON = {
    "refuse_intake",
    "return_to_previous",
    "request_supplement",
    "reject",
    "stop",
    "issue_apology",
}


def _parse_spec() -> dict[tuple[Status | None, Action], tuple[Status, frozenset[Actor]]]:
    spec: dict[tuple[Status | None, Action], tuple[Status, frozenset[Actor]]] = {}
    for line in SPEC.strip().splitlines():
        src, action, dst, actors = line.split()
        key = (None if src == "-" else Status(src), Action(action))
        assert key not in spec, f"duplicate spec line {line!r}"
        spec[key] = (Status(dst), frozenset(ACTOR_CODES[a] for a in actors))
    return spec


EXPECTED = _parse_spec()
ALL_STATUSES: list[Status | None] = [None, *Status]
CELLS = list(itertools.product(ALL_STATUSES, Action, Actor))


def test_the_table_has_exactly_the_spec_rows() -> None:
    got = {key: (row.to, row.actors) for key, row in TRANSITIONS.items()}
    assert got == EXPECTED


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    CELLS,
    ids=[f"{s or '-'}|{a}|{r}" for s, a, r in CELLS],
)
def test_every_cell(status: Status | None, action: Action, actor: Actor) -> None:
    expected = EXPECTED.get((status, action))
    allowed_now = allowed_actions(status, actor)
    if expected is not None and actor in expected[1]:
        assert next_status(status, action, actor) == expected[0]
        assert action in allowed_now
    else:
        with pytest.raises(ActionNotAllowed) as info:
            next_status(status, action, actor)
        err = info.value
        assert type(err) is ActionNotAllowed
        assert (err.status, err.action, err.actor) == (status, action, actor)
        assert err.allowed_actions == allowed_now
        assert action not in allowed_now
        assert ACTION_LABELS_VI[action] in str(err)


def test_cell_count() -> None:
    assert len(CELLS) == 15 * 18 * 7


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("actor", list(Actor))
def test_allowed_actions_are_the_spec_actions_in_action_order(
    status: Status | None, actor: Actor
) -> None:
    want = [a for a in Action if actor in EXPECTED.get((status, a), (None, frozenset()))[1]]
    assert allowed_actions(status, actor) == want


def test_terminal_statuses_allow_nothing_and_others_allow_something() -> None:
    for status in Status:
        anything = any(allowed_actions(status, actor) for actor in Actor)
        assert anything == (status not in TERMINAL), status


def test_every_status_is_reachable_from_creation() -> None:
    seen: set[Status] = set()
    frontier: list[Status | None] = [None]
    while frontier:
        current = frontier.pop()
        for (src, _), row in TRANSITIONS.items():
            if src == current and row.to not in seen:
                seen.add(row.to)
                frontier.append(row.to)
    assert seen == set(Status)


def test_every_open_dossier_can_reach_a_finished_status() -> None:
    targets = FINISHED | TERMINAL
    for status in Status:
        seen = {status}
        frontier = [status]
        while frontier:
            current = frontier.pop()
            for (src, _), row in TRANSITIONS.items():
                if src == current and row.to not in seen:
                    seen.add(row.to)
                    frontier.append(row.to)
        assert seen & targets, status


# --------------------------------------------------------------------------- limits


SUPPLEMENT_CELLS = [
    (Status.NEW_ONLINE, Actor.COUNTER_OFFICER),
    (Status.IN_PROGRESS, Actor.SPECIALIST),
    (Status.IN_PROGRESS, Actor.UNIT_HEAD),
    (Status.IN_PROGRESS, Actor.AGENCY_LEADER),
]


@pytest.mark.parametrize(("status", "actor"), SUPPLEMENT_CELLS)
def test_a_second_supplement_request_is_refused(status: Status, actor: Actor) -> None:
    assert next_status(status, Action.REQUEST_SUPPLEMENT, actor, supplement_requests_so_far=0)
    with pytest.raises(SupplementAlreadyRequested) as info:
        next_status(status, Action.REQUEST_SUPPLEMENT, actor, supplement_requests_so_far=1)
    err = info.value
    assert isinstance(err, ActionNotAllowed)
    assert err.code == "supplement_already_requested"
    assert "một lần" in str(err) and "Điều 11" in str(err)
    assert Action.REQUEST_SUPPLEMENT not in err.allowed_actions
    assert Action.REQUEST_SUPPLEMENT not in allowed_actions(
        status, actor, supplement_requests_so_far=1
    )
    # Everything else stays as it was.
    others = [a for a in allowed_actions(status, actor) if a != Action.REQUEST_SUPPLEMENT]
    assert allowed_actions(status, actor, supplement_requests_so_far=2) == others


def test_an_intake_supplement_request_uses_up_the_single_request() -> None:
    # Online dossier: asked to complete at intake, completed, received, then processed.
    status = next_status(Status.NEW_ONLINE, Action.REQUEST_SUPPLEMENT, Actor.COUNTER_OFFICER)
    status = next_status(status, Action.SUPPLEMENT, Actor.APPLICANT)
    status = next_status(status, Action.ACCEPT, Actor.COUNTER_OFFICER)
    status = next_status(status, Action.FORWARD, Actor.COUNTER_OFFICER)
    assert status == Status.IN_PROGRESS
    with pytest.raises(SupplementAlreadyRequested):
        next_status(
            status, Action.REQUEST_SUPPLEMENT, Actor.SPECIALIST, supplement_requests_so_far=1
        )


def test_supplement_limit_does_not_hide_a_refusal_for_the_wrong_actor() -> None:
    with pytest.raises(ActionNotAllowed) as info:
        next_status(
            Status.IN_PROGRESS,
            Action.REQUEST_SUPPLEMENT,
            Actor.CLERK,
            supplement_requests_so_far=1,
        )
    assert type(info.value) is ActionNotAllowed


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_SIGNATURE])
def test_a_second_apology_is_refused(status: Status) -> None:
    actor = Actor.AGENCY_LEADER
    assert next_status(status, Action.ISSUE_APOLOGY, actor) == status  # status unchanged
    with pytest.raises(ApologyAlreadyIssued) as info:
        next_status(status, Action.ISSUE_APOLOGY, actor, apologies_so_far=1)
    assert info.value.code == "apology_already_issued"
    assert Action.ISSUE_APOLOGY not in allowed_actions(status, actor, apologies_so_far=1)


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        allowed_actions(Status.IN_PROGRESS, Actor.SPECIALIST, supplement_requests_so_far=-1)
    with pytest.raises(ValueError):
        next_status(Status.IN_PROGRESS, Action.FORWARD, Actor.SPECIALIST, apologies_so_far=-1)


# --------------------------------------------------------------------------- misc


def test_reasons_are_required_exactly_for_these_actions() -> None:
    assert {a.value for a in ACTIONS_NEEDING_REASON} == NEEDS_REASON
    for (_, action), row in TRANSITIONS.items():
        assert row.needs_reason == (action.value in NEEDS_REASON), action


def test_require_reason() -> None:
    assert require_reason(Action.REJECT, "  Không đủ điều kiện  ") == "Không đủ điều kiện"
    assert require_reason(Action.FORWARD, None) == ""
    for blank in (None, "", "   \n"):
        with pytest.raises(ReasonRequired) as info:
            require_reason("stop", blank)
        assert "lý do" in str(info.value)


def test_strings_are_accepted_for_stored_values() -> None:
    assert next_status("in_progress", "submit_for_signature", "specialist") == (
        Status.AWAITING_SIGNATURE
    )
    assert transition_for("processed", "return_result", "system").to == Status.RETURNED
    with pytest.raises(ValueError):
        next_status("archived", "forward", "specialist")
    with pytest.raises(ValueError):
        next_status("in_progress", "forward", "janitor")


def test_error_message_and_dict() -> None:
    with pytest.raises(ActionNotAllowed) as info:
        next_status(Status.RETURNED, Action.SIGN, Actor.AGENCY_LEADER)
    err = info.value
    assert str(err) == (
        "Không thể thực hiện «Phê duyệt, ký kết quả» khi hồ sơ ở trạng thái «Đã trả kết quả» "
        "với vai trò «Lãnh đạo cơ quan (người ký)». Không có thao tác nào được phép."
    )
    assert err.to_dict() == {
        "code": "action_not_allowed",
        "message": str(err),
        "status": "returned",
        "action": "sign",
        "actor": "agency_leader",
        "allowed_actions": [],
    }
    with pytest.raises(ActionNotAllowed) as info:
        next_status(None, Action.FORWARD, Actor.COUNTER_OFFICER)
    assert "«Chưa có hồ sơ»" in str(info.value)
    assert "«Tiếp nhận hồ sơ», «Từ chối tiếp nhận»" in str(info.value)


def test_actor_values_match_roles() -> None:
    staff = [a for a in Actor if a not in (Actor.APPLICANT, Actor.SYSTEM)]
    assert {a.value for a in staff} == {
        "counter_officer",
        "specialist",
        "unit_head",
        "agency_leader",
        "clerk",
    }
    for actor in staff:
        assert Role(actor.value).value == actor.value
        assert actor_for_role(Role(actor.value)) is actor
    assert actor_for_role(Role.TTHC_CONTROL) is None
    assert actor_for_role("administrator") is None


def test_labels_are_complete() -> None:
    assert set(ACTION_LABELS_VI) == set(Action)
    assert set(ACTOR_LABELS_VI) == set(Actor)
    assert set(STATUS_LABELS_VI) == set(Status)


def test_a_full_counter_journey() -> None:
    steps = [
        (Action.ACCEPT, Actor.COUNTER_OFFICER, Status.RECEIVED),
        (Action.FORWARD, Actor.COUNTER_OFFICER, Status.IN_PROGRESS),
        (Action.ASSIGN, Actor.UNIT_HEAD, Status.IN_PROGRESS),
        (Action.REQUEST_SUPPLEMENT, Actor.SPECIALIST, Status.SUPPLEMENT_REQUESTED),
        (Action.SUPPLEMENT, Actor.COUNTER_OFFICER, Status.IN_PROGRESS),
        (Action.REQUEST_PAYMENT, Actor.SPECIALIST, Status.AWAITING_PAYMENT),
        (Action.RECORD_PAYMENT, Actor.SYSTEM, Status.IN_PROGRESS),
        (Action.SUBMIT_FOR_SIGNATURE, Actor.SPECIALIST, Status.AWAITING_SIGNATURE),
        (Action.RETURN_TO_PREVIOUS, Actor.AGENCY_LEADER, Status.IN_PROGRESS),
        (Action.SUBMIT_FOR_SIGNATURE, Actor.UNIT_HEAD, Status.AWAITING_SIGNATURE),
        (Action.SIGN, Actor.AGENCY_LEADER, Status.PROCESSED),
        (Action.FORWARD, Actor.CLERK, Status.PROCESSED),
        (Action.RETURN_RESULT, Actor.COUNTER_OFFICER, Status.RETURNED),
    ]
    status: Status | None = None
    supplements = 0
    for action, actor, want in steps:
        status = next_status(status, action, actor, supplement_requests_so_far=supplements)
        supplements += action == Action.REQUEST_SUPPLEMENT
        assert status == want


def test_withdrawal_journey_ends_withdrawn_and_no_withdrawal_after_a_decision() -> None:
    status = next_status(None, Action.SUBMIT_ONLINE, Actor.SYSTEM)
    status = next_status(status, Action.ACCEPT, Actor.COUNTER_OFFICER)
    status = next_status(status, Action.REQUEST_WITHDRAWAL, Actor.APPLICANT)
    assert status == Status.WITHDRAWAL_REQUESTED
    assert next_status(status, Action.STOP, Actor.COUNTER_OFFICER) == Status.WITHDRAWN
    for decided in (Status.PROCESSED, Status.REJECTED, Status.RETURNED):
        assert Action.REQUEST_WITHDRAWAL not in allowed_actions(decided, Actor.APPLICANT)
