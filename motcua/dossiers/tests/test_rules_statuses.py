"""Statuses, national codes and groups."""

from __future__ import annotations

import pytest

from motcua.dossiers.rules import (
    CLOCK_PAUSED,
    CLOCK_RUNNING,
    DEADLINE_LEVEL,
    FINISHED,
    NATIONAL_CHANNEL_CODE,
    NATIONAL_STATUS_CODE,
    NATIONAL_STATUS_LABELS_VI,
    NOT_RECEIVED,
    OPEN,
    PRE_INTAKE,
    STATUS_LABELS_VI,
    TERMINAL,
    Channel,
    Status,
    national_code,
    statuses_for_national_code,
)

EXPECTED_NATIONAL = {
    "new_online": 1,
    "intake_supplement_requested": 5,
    "received": 2,
    "refused_intake": 3,
    "in_progress": 4,
    "awaiting_signature": 4,
    "supplement_requested": 5,
    "awaiting_payment": 6,
    "withdrawal_requested": 7,
    "stopped": 8,
    "withdrawn": 8,
    "rejected": 8,
    "processed": 9,
    "returned": 10,
}


def test_national_codes() -> None:
    assert {s.value: c for s, c in NATIONAL_STATUS_CODE.items()} == EXPECTED_NATIONAL
    for value, code in EXPECTED_NATIONAL.items():
        assert national_code(value) == code


def test_every_national_code_has_a_status() -> None:
    assert set(NATIONAL_STATUS_CODE.values()) == set(range(1, 11))
    assert statuses_for_national_code(4) == (Status.IN_PROGRESS, Status.AWAITING_SIGNATURE)
    assert statuses_for_national_code(8) == (Status.STOPPED, Status.WITHDRAWN, Status.REJECTED)
    assert statuses_for_national_code(0) == ()


def test_national_labels() -> None:
    # TrangThaiHoSo labels of the national portal's dossier sync.
    assert dict(NATIONAL_STATUS_LABELS_VI) == {
        1: "Mới đăng ký",
        2: "Được tiếp nhận",
        3: "Không được tiếp nhận",
        4: "Đang xử lý",
        5: "Yêu cầu bổ sung giấy tờ",
        6: "Yêu cầu thực hiện nghĩa vụ tài chính",
        7: "Công dân yêu cầu rút hồ sơ",
        8: "Dừng xử lý",
        9: "Đã xử lý xong",
        10: "Đã trả kết quả",
    }


def test_labels_are_vietnamese_and_complete() -> None:
    assert set(STATUS_LABELS_VI) == set(Status)
    assert STATUS_LABELS_VI[Status.IN_PROGRESS] == "Đang xử lý"
    assert len(set(STATUS_LABELS_VI.values())) == len(Status)


def test_groups_partition_the_statuses() -> None:
    groups = [PRE_INTAKE, OPEN, FINISHED, NOT_RECEIVED]
    assert sum(len(g) for g in groups) == len(Status)
    assert frozenset().union(*groups) == frozenset(Status)


def test_finished_is_the_domain_list() -> None:
    assert {s.value for s in FINISHED} == {
        "rejected",
        "stopped",
        "processed",
        "returned",
        "withdrawn",
    }


def test_clock_groups() -> None:
    assert {s.value for s in CLOCK_PAUSED} == {"supplement_requested", "awaiting_payment"}
    assert Status.WITHDRAWAL_REQUESTED in CLOCK_RUNNING
    assert CLOCK_PAUSED | CLOCK_RUNNING == OPEN
    assert not CLOCK_PAUSED & CLOCK_RUNNING
    assert {national_code(s) for s in CLOCK_PAUSED} == {5, 6}


def test_every_status_has_one_deadline_level_that_agrees_with_its_label() -> None:
    """The level beside the status never contradicts it: a refused dossier is not
    "waiting", a withdrawn or stopped one not "resolved" (only a result is)."""
    assert set(DEADLINE_LEVEL) == set(Status)
    assert {s for s, level in DEADLINE_LEVEL.items() if level is None} == CLOCK_RUNNING
    assert {s.value for s, level in DEADLINE_LEVEL.items() if level == "finished"} == {
        "processed",
        "returned",
    }
    assert {s.value for s, level in DEADLINE_LEVEL.items() if level == "closed"} == {
        "refused_intake",
        "rejected",
        "stopped",
        "withdrawn",
    }
    assert {s.value for s, level in DEADLINE_LEVEL.items() if level == "waiting"} == {"new_online"}
    assert {s for s, level in DEADLINE_LEVEL.items() if level == "paused"} == CLOCK_PAUSED | {
        Status.INTAKE_SUPPLEMENT_REQUESTED
    }


def test_terminal() -> None:
    expected = (FINISHED - {Status.PROCESSED}) | NOT_RECEIVED
    assert expected == TERMINAL


@pytest.mark.parametrize(("channel", "code"), [("in_person", 1), ("online", 2), ("postal", 3)])
def test_channel_codes(channel: str, code: int) -> None:
    assert NATIONAL_CHANNEL_CODE[Channel(channel)] == code
