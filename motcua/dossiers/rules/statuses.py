"""Dossier statuses (trạng thái hồ sơ), their national codes and named groups.

Pure constants: no Django, no I/O.

Our statuses are finer than the national list (TrangThaiHoSo, used when syncing with the
national public service portal); every status maps to exactly one national code 1-10
(docs, "National status codes"):

1 newly registered online, not yet received · 2 received · 3 not received (refused at
intake) · 4 in progress · 5 supplement requested · 6 waiting for the financial obligation ·
7 withdrawal requested by the applicant · 8 processing stopped · 9 processed (result
ready) · 10 result returned.

Sub-states and the choices made:

* ``in_progress`` and ``awaiting_signature`` are both national 4.
* ``intake_supplement_requested`` (the one-stop unit asked an online applicant to complete
  the dossier before receiving it, form 02 of Circular 03/2025/TT-VPCP) and
  ``supplement_requested`` (asked during processing) are both national 5. Both count for
  the "only once" rule (Decree 118/2025/NĐ-CP art. 11); only the second stops a running
  clock (the first happens before receipt, when there is no clock yet).
* ``withdrawn`` (stop notice issued on the applicant's request, Decree 118/2025/NĐ-CP
  art. 21, Circular 03/2025/TT-VPCP art. 7) and ``stopped`` (stopped by the unit, e.g. the
  applicant never supplied the documents or never paid) are both national 8.
* ``rejected`` (refused on the merits after processing, with the refusal slip and its
  reasons) is national 8 as well: the national list has no "refused after processing"
  code; 3 is for refusal at intake, and the portal's status string for 8 ("unresolved")
  is what refusal on the merits is synced as in deployed systems [unverified: no
  official integration spec was found; the mapping is one dict, easy to change].
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "CLOCK_PAUSED",
    "CLOCK_RUNNING",
    "DEADLINE_LEVEL",
    "FINISHED",
    "NATIONAL_CHANNEL_CODE",
    "NATIONAL_STATUS_CODE",
    "NATIONAL_STATUS_LABELS_VI",
    "NOT_RECEIVED",
    "OPEN",
    "PRE_INTAKE",
    "STATUS_LABELS_VI",
    "TERMINAL",
    "WAITING_FOR_APPLICANT",
    "Channel",
    "Status",
    "national_code",
    "statuses_for_national_code",
]


class Status(StrEnum):
    """Internal dossier status; values are stored in the database as they are."""

    NEW_ONLINE = "new_online"  # mới đăng ký trực tuyến, chờ tiếp nhận (national 1)
    INTAKE_SUPPLEMENT_REQUESTED = "intake_supplement_requested"  # national 5
    RECEIVED = "received"  # đã tiếp nhận, chờ chuyển xử lý (national 2)
    REFUSED_INTAKE = "refused_intake"  # không được tiếp nhận (national 3)
    IN_PROGRESS = "in_progress"  # đang xử lý (national 4)
    AWAITING_SIGNATURE = "awaiting_signature"  # trình ký (national 4)
    SUPPLEMENT_REQUESTED = "supplement_requested"  # yêu cầu bổ sung (national 5)
    AWAITING_PAYMENT = "awaiting_payment"  # chờ thực hiện nghĩa vụ tài chính (national 6)
    WITHDRAWAL_REQUESTED = "withdrawal_requested"  # công dân yêu cầu rút (national 7)
    STOPPED = "stopped"  # dừng xử lý (national 8)
    WITHDRAWN = "withdrawn"  # dừng xử lý theo yêu cầu rút hồ sơ (national 8)
    REJECTED = "rejected"  # từ chối giải quyết (national 8, see module docstring)
    PROCESSED = "processed"  # đã xử lý xong, có kết quả chờ trả (national 9)
    RETURNED = "returned"  # đã trả kết quả (national 10)


STATUS_LABELS_VI: Final[Mapping[Status, str]] = MappingProxyType(
    {
        Status.NEW_ONLINE: "Mới đăng ký trực tuyến (chờ tiếp nhận)",
        Status.INTAKE_SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung, hoàn thiện trước khi tiếp nhận",
        Status.RECEIVED: "Đã tiếp nhận",
        Status.REFUSED_INTAKE: "Không được tiếp nhận",
        Status.IN_PROGRESS: "Đang xử lý",
        Status.AWAITING_SIGNATURE: "Đang trình ký",
        Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        Status.AWAITING_PAYMENT: "Chờ thực hiện nghĩa vụ tài chính",
        Status.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
        Status.STOPPED: "Dừng xử lý",
        Status.WITHDRAWN: "Đã rút hồ sơ (dừng xử lý theo yêu cầu)",
        Status.REJECTED: "Từ chối giải quyết",
        Status.PROCESSED: "Đã xử lý xong (chờ trả kết quả)",
        Status.RETURNED: "Đã trả kết quả",
    }
)

#: Status -> national TrangThaiHoSo code (docs, "National status codes").
NATIONAL_STATUS_CODE: Final[Mapping[Status, int]] = MappingProxyType(
    {
        Status.NEW_ONLINE: 1,
        Status.INTAKE_SUPPLEMENT_REQUESTED: 5,
        Status.RECEIVED: 2,
        Status.REFUSED_INTAKE: 3,
        Status.IN_PROGRESS: 4,
        Status.AWAITING_SIGNATURE: 4,
        Status.SUPPLEMENT_REQUESTED: 5,
        Status.AWAITING_PAYMENT: 6,
        Status.WITHDRAWAL_REQUESTED: 7,
        Status.STOPPED: 8,
        Status.WITHDRAWN: 8,
        Status.REJECTED: 8,  # [unverified], see the module docstring
        Status.PROCESSED: 9,
        Status.RETURNED: 10,
    }
)

#: National code -> label used by the national portal (TrangThaiHoSo).
NATIONAL_STATUS_LABELS_VI: Final[Mapping[int, str]] = MappingProxyType(
    {
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
)


def national_code(status: Status | str) -> int:
    """The national TrangThaiHoSo code (1-10) of ``status``."""
    return NATIONAL_STATUS_CODE[Status(status)]


def statuses_for_national_code(code: int) -> tuple[Status, ...]:
    """Our statuses that map to national ``code`` (declaration order); () if none."""
    return tuple(s for s in Status if NATIONAL_STATUS_CODE[s] == code)


# --------------------------------------------------------------------------- groups
# The groups partition the statuses: every status is in exactly one of PRE_INTAKE, OPEN,
# FINISHED and NOT_RECEIVED (checked by the tests).

#: Online dossiers waiting at the one-stop unit: not received yet, no clock.
PRE_INTAKE: Final = frozenset({Status.NEW_ONLINE, Status.INTAKE_SUPPLEMENT_REQUESTED})

#: Received and not finished: "in progress" in the reports (Circular 01/2020/TT-VPCP form
#: 06) and in the service index (Decision 766/QĐ-TTg criterion 2).
OPEN: Final = frozenset(
    {
        Status.RECEIVED,
        Status.IN_PROGRESS,
        Status.AWAITING_SIGNATURE,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
        Status.WITHDRAWAL_REQUESTED,
    }
)

#: Finished for the national on-time test: "rejected, stopped, processed, returned,
#: withdrawn" (docs, "The clock"). PROCESSED is finished although the result still has to
#: be returned.
FINISHED: Final = frozenset(
    {Status.REJECTED, Status.STOPPED, Status.WITHDRAWN, Status.PROCESSED, Status.RETURNED}
)

#: Refused at intake: never received, so neither open nor finished.
NOT_RECEIVED: Final = frozenset({Status.REFUSED_INTAKE})

#: The clock of a received dossier is stopped while the applicant must act:
#: * supplement requested — the time between "supplement requested" and "supplement
#:   completed" is not counted (national on-time test, docs "The clock"; Decree
#:   118/2025/NĐ-CP art. 11);
#: * waiting for the financial obligation (fees, taxes; national status 6, docs "The
#:   clock").
#: Withdrawal requested (national 7) does NOT stop the clock: no text says so, and the
#: next step (the stop notice, Decree 118/2025/NĐ-CP art. 21) is the unit's to take.
#: ``intake_supplement_requested`` is not here either: the clock starts at receipt.
CLOCK_PAUSED: Final = frozenset({Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT})

#: Received, not finished, clock running.
CLOCK_RUNNING: Final = OPEN - CLOCK_PAUSED

#: Waiting for the applicant: the clock paused, or (before receipt, no clock yet) the
#: one-stop unit's request to complete an online dossier. The "paused" tab and counts.
WAITING_FOR_APPLICANT: Final = CLOCK_PAUSED | {Status.INTAKE_SUPPLEMENT_REQUESTED}

#: No action leads out of these.
TERMINAL: Final = frozenset(
    {
        Status.REFUSED_INTAKE,
        Status.REJECTED,
        Status.STOPPED,
        Status.WITHDRAWN,
        Status.RETURNED,
    }
)


#: What the deadline column (worklist, dossier page) says of a status: None while the
#: clock runs (the deadline decides: overdue, due soon, in time); "paused" while the
#: applicant must act; "waiting" in the counter's queue; "finished" with a result;
#: "closed" when the dossier ended without one (refused at intake or on the merits,
#: stopped, withdrawn), so that it never reads as resolved or as still waiting.
DEADLINE_LEVEL: Final[Mapping[Status, str | None]] = MappingProxyType(
    {
        **dict.fromkeys(CLOCK_RUNNING),
        **dict.fromkeys(WAITING_FOR_APPLICANT, "paused"),
        Status.NEW_ONLINE: "waiting",
        Status.PROCESSED: "finished",
        Status.RETURNED: "finished",
        Status.REFUSED_INTAKE: "closed",
        Status.REJECTED: "closed",
        Status.STOPPED: "closed",
        Status.WITHDRAWN: "closed",
    }
)


class Channel(StrEnum):
    """How a dossier came in (Decree 118/2025/NĐ-CP art. 15; Circular 03/2025 art. 5)."""

    IN_PERSON = "in_person"  # trực tiếp
    ONLINE = "online"  # trực tuyến
    POSTAL = "postal"  # qua bưu chính công ích


#: Channel codes used by the national systems (docs, "Channels and intake").
NATIONAL_CHANNEL_CODE: Final[Mapping[Channel, int]] = MappingProxyType(
    {Channel.IN_PERSON: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}
)
