"""Realistic demo dossiers, made through the real services.

``generate_dossiers(count, seed=…)`` files ``count`` dossiers of the demo procedures
over the last ``months`` months and moves each one through its internal process by
calling :func:`~motcua.dossiers.services.receive_at_counter`,
:func:`~motcua.dossiers.services.submit_online` and
:func:`~motcua.dossiers.services.perform_action` with ``at=`` instants in the past,
taken in working time from the agency's calendar. Nothing is written around the
services: the event log, step deadlines, timeliness and late charge are theirs. A call
the rules refuse is a bug of this module and raises (nothing is swallowed).

Where: the offerings of the demo procedures whose every process step has a staff
member who may hold it — with the demo accounts (``motcua.simulation.staff``) that is the
wards Long Xuyên and Châu Đốc, Sở Tư pháp, the provincial police, and (thanks to the
accounts of :func:`ensure_generator_staff`) the social insurance, which the
interconnected birth procedures need. Agencies without staff get no dossiers.

Scenarios (:data:`SCENARIOS`, weights are shares): returned early / on time / late (a
step charged), with an apology and new appointment, supplemented then finished, paid
then finished, sent back for completion online then finished, processed waiting for
the applicant, rejected, withdrawn, stopped after an unanswered supplement request,
refused at intake, and open ones as of *now*: online queue, sent back online, received,
in progress (within time or overdue, with or without an apology), awaiting signature,
supplement requested, awaiting payment, withdrawal requested. The first dossiers take
each scenario once, so any count ≥ ``len(SCENARIOS)`` shows them all; the rest are drawn
by weight. Channels: in person, online (where the procedure offers it), postal.

Applicants are fictional: Vietnamese names drawn from surname / middle / given-name
lists, mobile numbers, 12-digit ID numbers in the citizen-ID layout (province, century
and sex, birth year, random digits), addresses in the communes of An Giang.
Deterministic for a seed, a ``now`` and a starting database.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.roles import ROLE_LABELS_VI, Role
from motcua.accounts.services import create_staff_user
from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import unit_name_in_text
from motcua.agencies.unit_sources import GENERATION_2025
from motcua.catalog.models import ProcedureChannel, ProcedureOffering
from motcua.dossiers import policy, rules
from motcua.dossiers.attachment_services import add_attachment
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.rules import (
    Action,
    Actor,
    Channel,
    Status,
    s10_check_digit,
    s10_item_number,
)
from motcua.dossiers.services import (
    ApplicantData,
    DocumentData,
    perform_action,
    receive_at_counter,
    submit_online,
)
from motcua.printing.pdf import render_markup
from motcua.simulation.procedures import demo_procedure_codes
from motcua.simulation.province import (
    CENTRAL_BRANCHES,
    PROVINCE_NAME,
    PROVINCE_STATISTICS_CODE,
    commune_code,
)
from motcua.simulation.staff import DEMO_PASSWORD, DemoLogin
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import WORKING_HOURS_PER_DAY, CompiledCalendar

MINUTE = 60_000_000  # working positions are microseconds of session time
DOSSIERS_PER_TRANSACTION = 25


class GenerationError(RuntimeError):
    """The generator cannot do what it was asked (no staff, a scenario that failed)."""


# --------------------------------------------------------------------------- staff

# Accounts the demo lacks for complete processes (same password as the demo accounts):
# the economy offices of the two demo wards (land, construction, business…) and the
# provincial social insurance (its branch of the interconnected birth procedures, and
# the agricultural-insurance procedure it decides in the demo mapping).
_INSURANCE = next(a for a in CENTRAL_BRANCHES if a.name.startswith("Bảo hiểm xã hội"))
GENERATOR_STAFF: tuple[tuple[str, str, str, str | None, Role], ...] = (
    (
        "longxuyen.chuyenvien.kinhte",
        "Trịnh Công Danh",
        commune_code("30307"),
        f"{commune_code('30307')}.3",
        Role.SPECIALIST,
    ),
    (
        "chaudoc.chuyenvien.kinhte",
        "Lâm Thị Diệu Hiền",
        commune_code("30316"),
        f"{commune_code('30316')}.3",
        Role.SPECIALIST,
    ),
    ("bhxh.chuyenvien", "Tạ Minh Triết", _INSURANCE.code, f"{_INSURANCE.code}.1", Role.SPECIALIST),
    ("bhxh.lanhdao", "Kha Ngọc Thủy", _INSURANCE.code, None, Role.AGENCY_LEADER),
)


@transaction.atomic
def ensure_generator_staff(*, acting_user: Any = None) -> list[DemoLogin]:
    """Create the missing generator accounts (see :data:`GENERATOR_STAFF`); their logins.

    Accounts whose agency is not in the database are skipped.
    """
    codes = {c for _, _, agency, unit, _ in GENERATOR_STAFF for c in (agency, unit) if c}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    existing = set(
        User.objects.filter(username__in=[s[0] for s in GENERATOR_STAFF]).values_list(
            "username", flat=True
        )
    )
    password_hash: str | None = None
    logins: list[DemoLogin] = []
    for username, full_name, agency_code, unit_code, role in GENERATOR_STAFF:
        agency = agencies.get(agency_code)
        unit = agencies.get(unit_code) if unit_code else None
        if agency is None or (unit_code and unit is None):
            continue
        if username not in existing:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            create_staff_user(
                username,
                full_name=full_name,
                agency=agency,
                unit=unit,
                roles=[role],
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                acting_user=acting_user,
            )
        logins.append((username, ROLE_LABELS_VI[role], agency.name))
    return logins


# --------------------------------------------------------------------------- applicants

_SURNAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 30), ("Trần", 10), ("Lê", 9), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5),
    ("Phan", 4), ("Trương", 3), ("Đặng", 3), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2),
    ("Dương", 2), ("Lý", 2), ("Lâm", 2), ("Châu", 2), ("Thạch", 2), ("Danh", 2),
    ("Quách", 1), ("Tăng", 1), ("Mai", 1), ("Đoàn", 1), ("Tô", 1), ("La", 1),
)  # fmt: skip
_MIDDLE = {
    "m": ("Văn", "Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Đức", "Hoàng", "Tấn",
          "Trọng", "Chí", "Phước"),
    "f": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Bích", "Diễm", "Hồng",
          "Phương", "Huỳnh"),
}  # fmt: skip
_GIVEN = {
    "m": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khang", "Khoa",
          "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phát", "Phong", "Phúc", "Quang", "Sang",
          "Sơn", "Tài", "Tâm", "Thắng", "Thiện", "Toàn", "Trí", "Trung", "Tuấn", "Vinh"),
    "f": ("Anh", "Châu", "Diệu", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
          "Lan", "Linh", "Loan", "Mai", "My", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên",
          "Thảo", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến"),
}  # fmt: skip
# Khmer names of An Giang (Tri Tôn, Tịnh Biên): "Chau" for men, "Néang" for women.
_KHMER = {
    "m": ("Chau", ("Sóc Kha", "Ty", "Sen", "Thy", "Rết", "Sóc Ni")),
    "f": ("Néang", ("Sa Ry", "Phol", "Sóc Thia", "Sa Rát", "Chanh Thi")),
}
_MOBILE_PREFIXES = (
    "090", "091", "093", "094", "096", "097", "098", "070", "076", "077", "078", "079",
    "081", "083", "084", "085", "086", "088", "089", "032", "033", "035", "036", "039",
)  # fmt: skip
_STREETS = (
    "Trần Hưng Đạo", "Hà Hoàng Hổ", "Lý Thái Tổ", "Nguyễn Trãi", "Hùng Vương", "Lê Lợi",
    "Tôn Đức Thắng", "Nguyễn Huệ", "Châu Văn Liêm", "Phan Đình Phùng", "Trần Phú",
    "Nguyễn Thái Học", "Lê Hồng Phong", "Bùi Thị Xuân", "Ung Văn Khiêm", "Võ Thị Sáu",
)  # fmt: skip
_QUARTERS = ("Bình Khánh", "Bình Đức", "Mỹ Thới", "Đông Thịnh", "Tây Khánh", "Mỹ Phước",
             "Vĩnh Đông", "Châu Long", "Hòa Thạnh", "Long Thạnh")  # fmt: skip
_HAMLETS = ("Hòa Long", "Tân Hiệp", "Mỹ Hòa", "Phú Hữu", "Vĩnh Lợi", "Bình Thành",
            "An Thạnh", "Thạnh Lợi", "Tân Phú", "Kênh Đào", "Giồng Cát", "Cây Dương")  # fmt: skip


def _weighted(rng: random.Random, items: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in items)
    pick = rng.random() * total
    for item, weight in items:
        pick -= weight
        if pick < 0:
            return item
    return items[-1][0]


def person(rng: random.Random) -> tuple[str, bool]:
    """A fictional Vietnamese full name (surname, middle, given) and whether female."""
    sex = rng.choice("mf")
    if rng.random() < 0.03:
        surname, given = _KHMER[sex]
        return f"{surname} {rng.choice(given)}", sex == "f"
    surname = _weighted(rng, _SURNAMES)
    return f"{surname} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}", sex == "f"


def mobile_number(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def citizen_id(rng: random.Random, *, female: bool | None = None) -> str:
    """12 digits in the citizen-ID layout: 089/091 (An Giang / Kiên Giang), century and
    sex, year of birth, six random digits. Fictional."""
    province = rng.choice(("089", "089", "089", "091"))
    year = rng.randint(1950, 2006)
    is_female = rng.random() < 0.5 if female is None else female
    century = (0 if year < 2000 else 2) + (1 if is_female else 0)
    return f"{province}{century}{year % 100:02d}{rng.randrange(10**6):06d}"


def postal_item_number(rng: random.Random) -> str:
    """A UPU S10 item number (two letters, 8 digits, check digit, VN)."""
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    return rng.choice(("RB", "EB", "RR")) + digits + f"{s10_check_digit(digits)}VN"


def address_in(rng: random.Random, unit_name: str, is_ward: bool) -> str:
    where = unit_name_in_text(unit_name)
    if is_ward:
        place = (
            f"Số {rng.randint(1, 250)}, đường {rng.choice(_STREETS)}, "
            f"khóm {rng.choice(_QUARTERS)} {rng.randint(1, 5)}"
        )
    else:
        place = f"Ấp {rng.choice(_HAMLETS)}"
    return f"{place}, {where}, tỉnh {PROVINCE_NAME}"


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """A story a dossier follows; ``status`` is where it ends (as of now)."""

    name: str
    status: Status
    weight: float
    label: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("returned_early", Status.RETURNED, 20, "Trả kết quả trước hạn"),
    Scenario("returned_on_time", Status.RETURNED, 12, "Trả kết quả đúng hạn"),
    Scenario("returned_late", Status.RETURNED, 5, "Trả kết quả trễ hạn"),
    Scenario("apology_returned", Status.RETURNED, 2, "Xin lỗi, hẹn lại rồi trả kết quả"),
    Scenario("supplemented_returned", Status.RETURNED, 5, "Bổ sung hồ sơ rồi trả kết quả"),
    Scenario("paid_returned", Status.RETURNED, 3, "Nộp phí, lệ phí rồi trả kết quả"),
    Scenario("online_supplemented_returned", Status.RETURNED, 1, "Bổ sung trước tiếp nhận rồi trả"),
    Scenario("processed", Status.PROCESSED, 6, "Có kết quả, chờ trả"),
    Scenario("rejected", Status.REJECTED, 2, "Từ chối giải quyết"),
    Scenario("withdrawn", Status.WITHDRAWN, 2, "Rút hồ sơ"),
    Scenario("stopped", Status.STOPPED, 1, "Dừng xử lý vì không bổ sung"),
    Scenario("refused_intake", Status.REFUSED_INTAKE, 2, "Từ chối tiếp nhận"),
    Scenario("new_online", Status.NEW_ONLINE, 4, "Nộp trực tuyến, chờ tiếp nhận"),
    Scenario(
        "online_supplement_pending",
        Status.INTAKE_SUPPLEMENT_REQUESTED,
        1,
        "Yêu cầu hoàn thiện trước tiếp nhận",
    ),
    Scenario("received", Status.RECEIVED, 2, "Vừa tiếp nhận"),
    Scenario("in_progress", Status.IN_PROGRESS, 12, "Đang xử lý, còn hạn"),
    Scenario("in_progress_overdue", Status.IN_PROGRESS, 3, "Đang xử lý, quá hạn"),
    Scenario("apology_open", Status.IN_PROGRESS, 1, "Đã xin lỗi, hẹn lại; đang xử lý"),
    Scenario("awaiting_signature", Status.AWAITING_SIGNATURE, 5, "Đang trình ký"),
    Scenario("supplement_pending", Status.SUPPLEMENT_REQUESTED, 4, "Chờ bổ sung hồ sơ"),
    Scenario("payment_pending", Status.AWAITING_PAYMENT, 2, "Chờ nộp phí, lệ phí"),
    Scenario("withdrawal_requested", Status.WITHDRAWAL_REQUESTED, 1, "Công dân xin rút hồ sơ"),
)
_BY_NAME = {s.name: s for s in SCENARIOS}
_ONLINE_ONLY = {
    "online_supplemented_returned",
    "refused_intake",
    "new_online",
    "online_supplement_pending",
}
_NEEDS_APOLOGY = {"apology_returned", "apology_open"}

#: How often the demo procedures are filed, relative to 1 (illustrative).
PROCEDURE_WEIGHTS: dict[str, float] = {
    "1.001193": 8,  # khai sinh
    "1.000894": 5,  # kết hôn
    "1.000656": 3,  # khai tử
    "1.004873": 4,  # xác nhận tình trạng hôn nhân
    "2.000815": 10,  # chứng thực bản sao
    "2.000884": 5,  # chứng thực chữ ký
    "2.001035": 3,  # chứng thực hợp đồng, giao dịch
    "2.000986": 6,  # liên thông khai sinh - thường trú - BHYT
    "2.001023": 3,  # liên thông khai sinh - BHYT
    "1.004222": 4,  # đăng ký thường trú
    "1.004194": 3,  # đăng ký tạm trú
    "1.014061": 3,  # cấp thẻ căn cước
    "1.014063": 3,  # cấp đổi thẻ căn cước
    "1.013978": 3,  # đăng ký đất đai lần đầu
    "1.001612": 3,  # đăng ký hộ kinh doanh
    "1.013225": 2,  # giấy phép xây dựng
    "1.013067": 3,  # đăng ký xe
}

_SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ chứng minh nơi cư trú.",
    "Tờ khai chưa ghi đầy đủ thông tin, đề nghị bổ sung.",
    "Bản chụp giấy tờ chưa rõ, đề nghị nộp bản sao có chứng thực.",
    "Thiếu văn bản ủy quyền của người có yêu cầu.",
    "Thông tin trên tờ khai chưa khớp với Cơ sở dữ liệu quốc gia về dân cư.",
)
_INTAKE_SUPPLEMENT_REASONS = (
    "Bản quét giấy tờ bị mờ, đề nghị tải lại.",
    "Thiếu tờ khai theo mẫu quy định.",
)
_REFUSAL_REASONS = (
    "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan.",
    "Hồ sơ trùng với hồ sơ đã nộp trước đó.",
    "Tệp đính kèm không đọc được; đề nghị nộp hồ sơ mới.",
)
_REJECT_REASONS = (
    "Không đủ điều kiện theo quy định.",
    "Người yêu cầu không có quyền, lợi ích liên quan đến việc yêu cầu.",
    "Giấy tờ trong hồ sơ không hợp lệ sau khi xác minh.",
)
_APOLOGY_REASONS = (
    "Cần xác minh thêm thông tin tại cơ quan liên quan.",
    "Cơ quan phối hợp chưa gửi kết quả liên thông.",
    "Cán bộ thụ lý đi công tác, chậm tiến độ thẩm định.",
)
_STOP_UNANSWERED = "Quá thời hạn bổ sung hồ sơ nhưng người nộp không bổ sung."
_STOP_WITHDRAWN = "Dừng xử lý theo đề nghị rút hồ sơ của người nộp."


# --------------------------------------------------------------------------- routes

_LOCAL_UNIT_KINDS = frozenset(
    {
        AdministrativeUnit.Kind.COMMUNE,
        AdministrativeUnit.Kind.WARD,
        AdministrativeUnit.Kind.TOWNSHIP,
        AdministrativeUnit.Kind.SPECIAL_ZONE,
    }
)


@dataclass
class _Step:
    name: str
    hours: int
    user: User


@dataclass
class _Route:
    """An offering whose process the generator can run, with who does each step."""

    offering: ProcedureOffering
    days: int
    apply_cutoff: bool
    receive: _Step
    middle: list[list[list[_Step]]]  # stages → parallel branches → specialist steps
    sign: _Step
    give_back: _Step
    online_counter: User | None
    online: bool
    postal: bool
    documents: list[DocumentData]
    weight: float
    home: AdministrativeUnit | None
    cal: CompiledCalendar

    @property
    def leader(self) -> User:
        return self.sign.user

    @property
    def specialists(self) -> list[_Step]:
        return [s for stage in self.middle for branch in stage for s in branch]


def _roles(user: User) -> frozenset[Role]:
    return frozenset(Role(a.role) for a in user.role_assignments.all())


@dataclass(frozen=True)
class _ActiveStep:
    agency_id: int
    unit_id: int | None
    role: str
    assignee_id: int | None = None
    state: str = policy.ACTIVE


def _may_hold(
    user: User, roles: frozenset[Role], agency_id: int, unit_id: int | None, role: str
) -> bool:
    """Whether ``user`` holds such a step by its own role (``policy.holds_as``): the
    simulation gives each step to an officer of that role, not to a unit head taking over."""
    who = policy.Person(
        pk=user.pk, staff=True, agency_id=user.agency_id, unit_id=user.unit_id, roles=roles
    )
    actor = rules.actor_for_role(role)
    return actor is not None and policy.holds_as(who, _ActiveStep(agency_id, unit_id, role), actor)


def _holder(staff: list[tuple[User, frozenset[Role]]], step: Any) -> User | None:
    """Who does ``step``: the officer of that very unit first, then by user name."""
    candidates = [
        u for u, roles in staff if _may_hold(u, roles, step.agency_id, step.unit_id, step.role)
    ]
    exact = [u for u in candidates if u.unit_id == step.unit_id]
    chosen = exact or candidates
    return chosen[0] if chosen else None


def _online_place(agency: Agency, children: dict[int, list[Agency]]) -> int:
    """Where an online dossier of ``agency`` waits (as the intake service decides)."""
    for child in children.get(agency.pk, []):
        if child.receives_dossiers and child.kind in (
            Agency.Kind.ONE_STOP_UNIT,
            Agency.Kind.SERVICE_CENTER,
        ):
            return child.pk
    return agency.pk


def _documents(offering: ProcedureOffering) -> list[DocumentData]:
    docs = [
        DocumentData(
            d.name[:1000],
            original_count=d.original_count,
            copy_count=d.copy_count,
            required_document_id=d.pk,
        )
        for d in offering.procedure.checklist()[0]
    ][:6]
    return docs or [DocumentData("Đơn đề nghị (theo mẫu)", original_count=1)]


def _build_routes() -> list[_Route]:
    staff_rows = list(
        User.objects.filter(kind=User.Kind.STAFF, is_active=True, agency__isnull=False)
        .prefetch_related("role_assignments")
        .order_by("username")
    )
    staff = [(u, _roles(u)) for u in staff_rows]
    offerings = list(
        ProcedureOffering.objects.filter(
            is_active=True,
            agency_id__in={u.agency_id for u in staff_rows},
            procedure__code__in=demo_procedure_codes(),
            process__is_active=True,
        )
        .select_related("procedure", "agency", "agency__admin_unit", "process")
        .prefetch_related("process__steps", "procedure__documents", "procedure__channels")
        .order_by("agency__code", "procedure__code")
    )
    children: dict[int, list[Agency]] = {}
    for child in Agency.objects.filter(parent_id__in={o.agency_id for o in offerings}).order_by(
        "pk"
    ):
        assert child.parent_id is not None
        children.setdefault(child.parent_id, []).append(child)
    routes = [_route(offering, staff, children) for offering in offerings]
    return [r for r in routes if r is not None]


def _route(
    offering: ProcedureOffering,
    staff: list[tuple[User, frozenset[Role]]],
    children: dict[int, list[Agency]],
) -> _Route | None:
    """The offering's process in the shape the generator runs, or None.

    Shape: a counter step, stages of specialists (branches of a stage run in
    parallel), the leader's signature, a counter step to return the result.
    """
    process = offering.process
    stages: dict[int, dict[int, list[tuple[int, _Step, str]]]] = {}
    for row in process.steps.all():
        user = _holder(staff, row)
        if user is None:
            return None
        branch = stages.setdefault(row.stage, {}).setdefault(row.branch, [])
        branch.append((row.position, _Step(row.name, row.hours, user), row.role))
    ordered = [
        [[(step, role) for _, step, role in sorted(stages[s][b], key=lambda t: t[0])]
         for b in sorted(stages[s])]
        for s in sorted(stages)
    ]  # fmt: skip
    if len(ordered) < 4:
        return None
    first, *middle, sign, last = ordered

    def single(stage: list[list[tuple[_Step, str]]], role: Actor) -> _Step | None:
        if len(stage) == 1 and len(stage[0]) == 1 and stage[0][0][1] == role.value:
            return stage[0][0][0]
        return None

    receive = single(first, Actor.COUNTER_OFFICER)
    signer = single(sign, Actor.AGENCY_LEADER)
    give_back = single(last, Actor.COUNTER_OFFICER)
    if receive is None or signer is None or give_back is None:
        return None
    if any(role != Actor.SPECIALIST.value for st in middle for br in st for _, role in br):
        return None
    place = _online_place(offering.agency, children)
    online_counter = next(
        (
            u
            for u, roles in staff
            if Role.COUNTER_OFFICER in roles and place in (u.agency_id, u.unit_id)
        ),
        None,
    )
    channels = {c.channel for c in offering.procedure.channels.all()}
    home = offering.agency.admin_unit
    return _Route(
        offering=offering,
        days=process.legal_working_days,
        apply_cutoff=process.apply_cutoff,
        receive=receive,
        middle=[[[step for step, _ in branch] for branch in stage] for stage in middle],
        sign=signer,
        give_back=give_back,
        online_counter=online_counter,
        online=online_counter is not None and ProcedureChannel.Channel.ONLINE in channels,
        postal=ProcedureChannel.Channel.POSTAL in channels,
        documents=_documents(offering),
        weight=PROCEDURE_WEIGHTS.get(offering.procedure.code, 1.0),
        home=home if home is not None and home.kind in _LOCAL_UNIT_KINDS else None,
        cal=calendar_for(offering.agency).compiled,
    )


# --------------------------------------------------------------------------- timelines


@dataclass
class _Ev:
    """One planned move; ``pos`` is a working position relative to the clock start."""

    pos: int
    action: Action
    user: User | None
    tag: str
    reason: str = ""
    new_due: int | None = None  # relative working position of the new appointment


@dataclass
class _Timeline:
    events: list[_Ev]
    legal: int  # the time limit, in working positions
    absorber_start: int = 0
    absorber_end: int = 0
    absorber: _Step | None = None


def _minute(x: float) -> int:
    return int(x) // MINUTE * MINUTE


class _Planner:
    """Builds a dossier's moves in working time (positions of the compiled calendar)."""

    def __init__(self, route: _Route, rng: random.Random) -> None:
        self.route = route
        self.rng = rng
        self.cal = route.cal
        self.day = route.cal.session_us
        self.hour = self.day // WORKING_HOURS_PER_DAY
        self.legal = route.days * self.day

    def dur(self, hours: int, low: float, high: float, floor_minutes: int = 3) -> int:
        span = hours * self.hour * self.rng.uniform(low, high)
        return max(floor_minutes * MINUTE, _minute(span))

    def budget(self) -> int:
        """Working positions from the clock start to the signature if every step used
        its whole budget (parallel branches: the longest)."""
        route = self.route
        middle = sum(max(sum(s.hours for s in br) for br in st) for st in route.middle)
        return (route.receive.hours + middle + route.sign.hours) * self.hour

    def sign_target(self, target: str, clock: int, new_due: int | None) -> int | None:
        """Where the signature falls (relative) to give ``target``; None: at its own pace."""
        legal, rng = self.legal, self.rng
        due_day = (clock + legal - 1) // self.day * self.day - clock  # start of the due day
        if target == "early" and due_day >= 40 * MINUTE:
            return _minute(rng.uniform(0.35, 0.9) * (due_day - 3 * MINUTE))
        if target in ("early", "on_time"):
            low, high = max(due_day, 20 * MINUTE), legal - 3 * MINUTE
            # Mostly the return step's own time is left for it; now and then not.
            if min(high, self.budget()) > low and rng.random() < 0.85:
                high = min(high, self.budget())
            return _minute(rng.uniform(low, high))
        if target == "late":
            if new_due is not None:
                return _minute(rng.uniform(legal + 30 * MINUTE, new_due - self.hour))
            cap = min(3 * self.day, legal // 2 + 2 * self.hour)
            return legal + _minute(rng.uniform(self.hour // 2, max(cap, self.hour)))
        return None

    def lifecycle(
        self, target: str, *, clock: int = 0, apology: bool = False, culprit: bool = False
    ) -> _Timeline:
        """The full story from receipt to the result returned (relative positions).

        At its own pace every step uses part of its budget. With a target the signature
        is placed first: when it falls within the steps' budgets they share the time in
        proportion to them; beyond, one step (the culprit, else the longest) is late.
        """
        route, rng = self.route, self.rng
        steps = route.specialists
        absorber = rng.choice(steps) if culprit else max(steps, key=lambda s: s.hours)
        new_due = None
        if apology:
            new_due = self.legal + max(2, min(10, math.ceil(route.days / 3))) * self.day
        sign_at = self.sign_target(target, clock, new_due)
        d_return = self.dur(route.give_back.hours, 0.1, 0.9)
        if sign_at is not None and sign_at <= self.budget():
            ratio = sign_at / self.budget()
            d_receive = self.dur(route.receive.hours, 0.88 * ratio, ratio, 1)
            d_sign = self.dur(route.sign.hours, 0.88 * ratio, ratio, 1)
            durations = {id(s): self.dur(s.hours, 0.88 * ratio, ratio, 1) for s in steps}
        else:
            low = 0.4 if sign_at is not None else 0.1
            d_receive = self.dur(route.receive.hours, low, 0.8)
            d_sign = self.dur(route.sign.hours, low, 0.7)
            durations = {id(s): self.dur(s.hours, max(low, 0.25), 0.9, 5) for s in steps}
        if sign_at is not None:
            self._absorb(durations, absorber, sign_at - d_receive - d_sign)

        events = [_Ev(d_receive, Action.FORWARD, route.receive.user, "forward")]
        cursor = d_receive
        absorber_start = absorber_end = cursor
        for index, stage in enumerate(route.middle):
            ends: list[_Ev] = []
            for branch in stage:
                at = cursor
                for step in branch:
                    start, at = at, at + durations[id(step)]
                    ev = _Ev(at, Action.FORWARD, step.user, f"specialist:{index}")
                    ends.append(ev)
                    if step is absorber:
                        absorber_start, absorber_end = start, at
            ends.sort(key=lambda e: e.pos)
            for earlier, later in itertools.pairwise(ends):
                if later.pos <= earlier.pos:
                    later.pos = earlier.pos + MINUTE
            if index == len(route.middle) - 1:
                ends[-1].action = Action.SUBMIT_FOR_SIGNATURE
            events += ends
            cursor = ends[-1].pos
        absorber_end = max(absorber_end, absorber_start + MINUTE)
        signed = cursor + d_sign
        events.append(_Ev(signed, Action.SIGN, route.leader, "sign"))
        events.append(_Ev(signed + d_return, Action.RETURN_RESULT, route.give_back.user, "return"))
        timeline = _Timeline(events, self.legal, absorber_start, absorber_end, absorber)
        if apology:
            assert new_due is not None
            latest = min(self.legal - self.hour * WORKING_HOURS_PER_DAY, absorber_end)
            latest -= 2 * MINUTE
            earliest = d_receive + 2 * MINUTE
            if latest < earliest:
                raise _Infeasible
            at = _minute(rng.uniform(earliest, latest))
            events.append(
                _Ev(
                    at,
                    Action.ISSUE_APOLOGY,
                    route.leader,
                    "apology",
                    rng.choice(_APOLOGY_REASONS),
                    new_due,
                )
            )
            events.sort(key=lambda e: e.pos)
        return timeline

    def _absorb(self, durations: dict[int, int], absorber: _Step, span: int) -> None:
        """Give the absorbing step what the middle stages need to last ``span``."""
        route = self.route
        stage = next(st for st in route.middle if any(absorber in br for br in st))
        others = sum(
            max(sum(durations[id(s)] for s in br) for br in st)
            for st in route.middle
            if st is not stage
        )
        need = span - others
        branch = next(br for br in stage if absorber in br)
        rest = sum(durations[id(s)] for s in branch if s is not absorber)
        if need - rest >= 3 * MINUTE:
            durations[id(absorber)] = need - rest
            for other in stage:
                if other is branch:
                    continue
                total = sum(durations[id(s)] for s in other)
                if total > need:
                    ratio = self.rng.uniform(0.5, 0.95) * need / total
                    for s in other:
                        durations[id(s)] = max(MINUTE, _minute(durations[id(s)] * ratio))
            return
        # Too little time for the steps at their usual pace: all go faster together.
        current = others + max(sum(durations[id(s)] for s in br) for br in stage)
        ratio = max(span, 3 * MINUTE) / current
        for key in durations:
            durations[key] = max(MINUTE, _minute(durations[key] * ratio))

    def pause(self, timeline: _Timeline, kind: str, resumer: User | None) -> tuple[_Ev, _Ev]:
        """Stop the clock during the absorbing step; later moves shift by whole days."""
        rng = self.rng
        start, end = timeline.absorber_start, timeline.absorber_end
        at = _minute(start + max(MINUTE, rng.uniform(0.15, 0.7) * (end - start)))
        if at >= end:
            at = start + MINUTE
        shift = rng.randint(1, 4) * self.day
        for ev in timeline.events:
            if ev.pos >= at:
                ev.pos += shift
        assert timeline.absorber is not None
        holder = timeline.absorber.user
        if kind == "supplement":
            request = _Ev(
                at,
                Action.REQUEST_SUPPLEMENT,
                holder,
                "pause",
                rng.choice(_SUPPLEMENT_REASONS),
            )
            resume = _Ev(at + shift, Action.SUPPLEMENT, resumer, "resume")
        else:
            request = _Ev(
                at, Action.REQUEST_PAYMENT, holder, "pause", "Nộp phí, lệ phí theo quy định."
            )
            resume = _Ev(at + shift, Action.RECORD_PAYMENT, resumer, "resume")
        timeline.events += [request, resume]
        timeline.events.sort(key=lambda e: e.pos)
        return request, resume


class _Infeasible(Exception):
    """This route cannot tell this story (too short, too long for the window)."""


# --------------------------------------------------------------------------- plans

Move = tuple[datetime, Action, User | None, str, datetime | None]


@dataclass
class _Plan:
    scenario: Scenario
    route: _Route
    channel: Channel
    applicant: ApplicantData
    postal_number: str
    return_method: str
    submit_at: datetime | None  # online: filed on the portal
    receive_at: datetime | None  # in person / postal: received at the counter
    moves: list[Move]

    @property
    def first_at(self) -> datetime:
        first = self.submit_at or self.receive_at
        assert first is not None
        return first


@dataclass
class _World:
    rng: random.Random
    routes: list[_Route]
    now: datetime
    start: datetime
    addresses: list[tuple[str, bool]]  # (unit name, is a ward)


def _address_book() -> list[tuple[str, bool]]:
    units = AdministrativeUnit.objects.filter(
        generation=GENERATION_2025, parent__code=PROVINCE_STATISTICS_CODE
    ).order_by("code")
    book = [(u.name, u.kind == AdministrativeUnit.Kind.WARD) for u in units]
    return book or [("Phường Long Xuyên", True)]


def _cutoff_offset(cal: CompiledCalendar) -> int | None:
    """Working position of the cut-off time inside a day (None: no cut-off)."""
    cutoff = cal.calendar.cutoff
    if cutoff is None:
        return None
    minutes = cutoff.hour * 60 + cutoff.minute
    offset = 0
    for start, end in cal.calendar.sessions:
        s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        offset += max(0, min(minutes, e) - s)
    return offset * MINUTE


def _feasible(scenario: Scenario, route: _Route) -> bool:
    if scenario.name in _ONLINE_ONLY and not route.online:
        return False
    return not (scenario.name in _NEEDS_APOLOGY and route.days < 3)


def _plan(world: _World, scenario: Scenario) -> _Plan:
    rng = world.rng
    candidates = [(r, r.weight) for r in world.routes if _feasible(scenario, r)]
    for _attempt in range(40):
        if not candidates:
            break
        route: _Route = _weighted(rng, candidates)
        try:
            return _plan_on(world, scenario, route)
        except _Infeasible:
            continue
    if scenario.name != "returned_early":
        return _plan(world, _BY_NAME["returned_early"])
    raise GenerationError(
        "Không tạo được hồ sơ mẫu: không có thủ tục nào có quy trình, cán bộ thực hiện và "
        "thời hạn vừa với khoảng thời gian đã chọn."
    )


def _applicant(world: _World, route: _Route) -> ApplicantData:
    rng = world.rng
    name, female = person(rng)
    if route.home is not None and rng.random() < 0.8:
        where = (route.home.name, route.home.kind == AdministrativeUnit.Kind.WARD)
    else:
        where = rng.choice(world.addresses)
    return ApplicantData(
        name=name,
        id_number=citizen_id(rng, female=female),
        phone=mobile_number(rng),
        address=address_in(rng, *where),
    )


def _plan_on(world: _World, scenario: Scenario, route: _Route) -> _Plan:
    rng = world.rng
    if scenario.name in _ONLINE_ONLY:
        channel = Channel.ONLINE
    else:
        options = [(Channel.IN_PERSON, 55.0)]
        options += [(Channel.ONLINE, 30.0)] if route.online else []
        options += [(Channel.POSTAL, 15.0)] if route.postal else []
        channel = _weighted(rng, options)
    applicant = _applicant(world, route)
    postal_number = postal_item_number(rng) if channel is Channel.POSTAL else ""
    return_method = {Channel.ONLINE: "online", Channel.POSTAL: "post"}.get(channel, "counter")
    plan = _Plan(scenario, route, channel, applicant, postal_number, return_method, None, None, [])
    if scenario.name in ("new_online", "refused_intake", "online_supplement_pending"):
        _pre_intake(world, plan)
    else:
        _story_in_time(world, plan)
    return plan


def _jitter(rng: random.Random, at: datetime) -> datetime:
    return at + timedelta(seconds=rng.randrange(60))


def _pre_intake(world: _World, plan: _Plan) -> None:
    """Online dossiers that were never received."""
    rng, route, cal = world.rng, plan.route, plan.route.cal
    now, hour = world.now, cal.session_us // WORKING_HOURS_PER_DAY
    counter = route.online_counter
    if plan.scenario.name == "new_online":
        plan.submit_at = now - timedelta(minutes=rng.randint(10, 20 * 60))
        return
    if plan.scenario.name == "refused_intake":
        span = max(60.0, (now - world.start).total_seconds() - 3 * 86400)
        submitted = world.start + timedelta(seconds=rng.uniform(0, span))
        acted = cal.position(submitted) + _minute(rng.uniform(0.5, 6) * hour)
        plan.submit_at = submitted
        plan.moves.append(
            (
                _jitter(rng, cal.instant(acted, False)),
                Action.REFUSE_INTAKE,
                counter,
                rng.choice(_REFUSAL_REASONS),
                None,
            )
        )
        return
    # Sent back for completion before receipt; the applicant has not answered yet.
    acted = _minute(cal.position(now) - rng.uniform(0.5 * hour, 2 * cal.session_us))
    asked = cal.instant(acted, False)
    plan.submit_at = asked - timedelta(minutes=rng.randint(20, 16 * 60))
    plan.moves.append(
        (
            _jitter(rng, asked),
            Action.REQUEST_SUPPLEMENT,
            counter,
            rng.choice(_INTAKE_SUPPLEMENT_REASONS),
            None,
        )
    )


_FINISHED_STORIES = frozenset(
    {
        "returned_early",
        "returned_on_time",
        "returned_late",
        "apology_returned",
        "supplemented_returned",
        "paid_returned",
        "online_supplemented_returned",
        "rejected",
        "withdrawn",
        "stopped",
    }
)


def _story(
    name: str, planner: _Planner, clock: int, plan: _Plan
) -> tuple[list[_Ev], tuple[int, int] | None]:
    """The moves of a received dossier (relative to its clock start) and, for a dossier
    still open, the window where *now* must fall."""
    route, rng = planner.route, planner.rng
    online = plan.channel is Channel.ONLINE
    applicant_side = None if online else route.receive.user
    intake_counter = route.online_counter if online else route.receive.user
    legal, hour, day = planner.legal, planner.hour, planner.day

    def cut(events: list[_Ev], last: _Ev) -> list[_Ev]:
        return events[: events.index(last) + 1]

    def after(events: list[_Ev], ev: _Ev) -> int:
        later = [e.pos for e in events if e.pos > ev.pos]
        return min(later) if later else ev.pos + day

    if name in ("returned_early", "returned_on_time", "online_supplemented_returned"):
        target = {"returned_early": "early", "returned_on_time": "on_time"}.get(
            name, rng.choice(("early", "early", "on_time"))
        )
        return planner.lifecycle(target, clock=clock).events, None
    if name == "returned_late":
        return planner.lifecycle("late", clock=clock, culprit=True).events, None
    if name in ("apology_returned", "apology_open"):
        timeline = planner.lifecycle("late", clock=clock, apology=True)
        if name == "apology_returned":
            return timeline.events, None
        apology = next(e for e in timeline.events if e.tag == "apology")
        return cut(timeline.events, apology), (apology.pos, after(timeline.events, apology))
    if name in ("supplemented_returned", "paid_returned", "supplement_pending", "payment_pending"):
        target = rng.choice(("early", "on_time")) if name.endswith("returned") else "pace"
        timeline = planner.lifecycle(target, clock=clock)
        kind = "supplement" if name.startswith("supplement") else "payment"
        request, resume = planner.pause(timeline, kind, applicant_side)
        if name.endswith("returned"):
            return timeline.events, None
        return cut(timeline.events, request), (request.pos, resume.pos)
    timeline = planner.lifecycle("late" if name == "in_progress_overdue" else "pace", clock=clock)
    events = timeline.events
    sign = next(e for e in events if e.tag == "sign")
    if name == "rejected":
        sign.action, sign.reason = Action.REJECT, rng.choice(_REJECT_REASONS)
        return cut(events, sign), None
    if name == "processed":
        return cut(events, sign), (sign.pos, sign.pos + _minute(rng.uniform(0.5 * hour, 4 * day)))
    if name == "received":
        return [], (0, events[0].pos)
    if name == "awaiting_signature":
        submitted = next(e for e in events if e.action is Action.SUBMIT_FOR_SIGNATURE)
        return cut(events, submitted), (submitted.pos, sign.pos)
    forward = events[0]
    if name in ("withdrawn", "withdrawal_requested"):
        asked = _minute(rng.uniform(forward.pos + MINUTE, after(events, forward) - MINUTE))
        asked = max(asked, forward.pos + MINUTE)
        request = _Ev(asked, Action.REQUEST_WITHDRAWAL, applicant_side, "withdraw")
        if name == "withdrawal_requested":
            return [forward, request], (asked, asked + _minute(rng.uniform(hour, 2 * day)))
        stop = _Ev(
            asked + _minute(rng.uniform(0.5 * hour, 6 * hour)),
            Action.STOP,
            intake_counter,
            "stop",
            _STOP_WITHDRAWN,
        )
        return [forward, request, stop], None
    if name == "stopped":
        request, _resume = planner.pause(timeline, "supplement", applicant_side)
        kept = cut(events, request)
        waited = rng.randint(5, 12) * day + _minute(rng.uniform(0, day))
        stop = _Ev(request.pos + waited, Action.STOP, route.leader, "stop", _STOP_UNANSWERED)
        return [*kept, stop], None
    # In progress: stop after a handover that leaves the dossier with a specialist.
    handovers = [e for e in events if e.action is Action.FORWARD]
    windows = []
    for ev in handovers:
        low, high = ev.pos, after(events, ev)
        if name == "in_progress":
            high = min(high, legal - MINUTE)
        else:
            low = max(low, legal + MINUTE)
        if high - low >= 3 * MINUTE:
            windows.append((ev, (low, high)))
    if not windows:
        raise _Infeasible
    last, window = rng.choice(windows)
    return cut(events, last), window


def _story_in_time(world: _World, plan: _Plan) -> None:
    """Place a received dossier's story in the window and turn it into dated moves."""
    rng, route, cal = world.rng, plan.route, plan.route.cal
    name = plan.scenario.name
    seed = rng.getrandbits(64)
    p_now = cal.position(world.now) // MINUTE * MINUTE
    p_start = cal.position(world.start)
    day = cal.session_us

    def build(clock: int) -> tuple[list[_Ev], tuple[int, int] | None]:
        planner = _Planner(route, random.Random(seed))  # noqa: S311 (demo data)
        return _story(name, planner, clock, plan)

    if name in _FINISHED_STORIES:
        draft, _ = build(0)
        span = max((e.pos for e in draft), default=0) + day
        latest = p_now - span - 2 * MINUTE
        if latest < p_start:
            raise _Infeasible
        for _draw in range(10):
            received_at = cal.instant(_minute(rng.uniform(p_start, latest)), False)
            clock = cal.position(received_at, route.apply_cutoff)
            due_day = (clock + route.days * day - 1) // day * day - clock
            if name != "returned_early" or due_day >= 40 * MINUTE:
                break  # (a 1-day limit counted from the next morning cannot end early)
        events, _ = build(clock)
        if events and clock + max(e.pos for e in events) > p_now - MINUTE:
            raise _Infeasible
    else:
        events, window = build(0)
        assert window is not None
        low, high = window
        now_rel = _minute(rng.uniform(low + MINUTE, max(low + MINUTE, high - MINUTE)))
        clock = p_now - now_rel
        cutoff = _cutoff_offset(cal) if route.apply_cutoff else None
        if cutoff is not None and clock % day >= cutoff:
            clock = max(
                clock // day * day, clock - (clock % day - cutoff) - rng.randint(5, 90) * MINUTE
            )
        if clock < p_start:
            raise _Infeasible
        received_at = cal.instant(clock, False)
    # Online: filed on the portal some time before the counter accepted it.
    moves: list[Move] = []
    if plan.channel is Channel.ONLINE:
        accept_at = received_at
        if name == "online_supplemented_returned":
            supplemented = accept_at - timedelta(minutes=rng.randint(60, 20 * 60))
            asked_pos = cal.position(supplemented) - _minute(
                rng.uniform(cal.session_us // 8, 3 * day)
            )
            asked = cal.instant(asked_pos, False)
            plan.submit_at = asked - timedelta(minutes=rng.randint(20, 20 * 60))
            moves += [
                (
                    _jitter(rng, asked),
                    Action.REQUEST_SUPPLEMENT,
                    route.online_counter,
                    rng.choice(_INTAKE_SUPPLEMENT_REASONS),
                    None,
                ),
                (supplemented, Action.SUPPLEMENT, None, "", None),
            ]
        else:
            plan.submit_at = accept_at - timedelta(minutes=rng.randint(20, 30 * 60))
        moves.append((accept_at, Action.ACCEPT, route.online_counter, "", None))
    else:
        plan.receive_at = received_at
    for ev in sorted(events, key=lambda e: e.pos):
        at = _jitter(rng, cal.instant(clock + ev.pos, False))
        new_due = cal.instant(clock + ev.new_due, True) if ev.new_due is not None else None
        moves.append((at, ev.action, ev.user, ev.reason, new_due))
    plan.moves = moves


# --------------------------------------------------------------------------- running


@dataclass
class GenerationReport:
    """What :func:`generate_dossiers` made."""

    created: int = 0
    seconds: float = 0.0
    by_status: Counter[str] = field(default_factory=Counter)
    by_timeliness: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_scenario: Counter[str] = field(default_factory=Counter)
    late_agencies: Counter[str] = field(default_factory=Counter)
    apologies: int = 0
    codes: list[str] = field(default_factory=list)
    _late_ids: Counter[int] = field(default_factory=Counter, repr=False)

    @property
    def rate(self) -> float:
        """Dossiers per second."""
        return self.created / self.seconds if self.seconds > 0 else 0.0

    def add(self, plan: _Plan, dossier: Dossier) -> None:
        self.created += 1
        self.by_status[dossier.status] += 1
        self.by_channel[dossier.channel] += 1
        self.by_scenario[plan.scenario.name] += 1
        if dossier.timeliness:
            self.by_timeliness[dossier.timeliness] += 1
        if dossier.late_agency_id is not None:
            self._late_ids[dossier.late_agency_id] += 1
        self.apologies += dossier.apologies
        assert dossier.code is not None
        self.codes.append(dossier.code)


def _execute(plan: _Plan) -> Dossier:
    route = plan.route
    if plan.channel is Channel.ONLINE:
        assert plan.submit_at is not None
        dossier = submit_online(
            offering=route.offering,
            applicant=plan.applicant,
            documents=route.documents,
            return_method=plan.return_method,
            at=plan.submit_at,
        )
    else:
        assert plan.receive_at is not None
        dossier = receive_at_counter(
            acting_user=route.receive.user,
            offering=route.offering,
            applicant=plan.applicant,
            documents=route.documents,
            channel=plan.channel,
            postal_item_number=plan.postal_number,
            return_method=plan.return_method,
            at=plan.receive_at,
        )
    for at, action, user, reason, new_due in plan.moves:
        if action is Action.RETURN_RESULT and dossier.return_method == "online":
            assert user is not None
            _attach_result(dossier, user)
        by_post = action is Action.RETURN_RESULT and dossier.return_method == "post"
        dossier = perform_action(
            dossier.pk,
            action,
            acting_user=user,
            as_system=user is None,
            reason=reason,
            new_due=new_due,
            at=at,
            # The item carrying the result (numbered from the dossier: no draw from the
            # generator's stream, which would change every dossier made after it).
            postal_item_number=s10_item_number("RR", dossier.pk) if by_post else "",
        )
    return dossier


def _attach_result(dossier: Dossier, user: User) -> None:
    """The electronic copy of the result, which a result returned online needs."""
    pdf = render_markup(
        '<document title="Kết quả giải quyết">'
        f"<h1>{escape(dossier.procedure.name[:200])}</h1>"
        f"<p align='center'>Kết quả giải quyết hồ sơ {escape(dossier.code or '')}</p>"
        f"<p>Cấp cho: {escape(dossier.applicant_name)}</p>"
        "<p><i>Bản điện tử dùng để trình diễn hệ thống.</i></p>"
        "</document>"
    )
    add_attachment(
        dossier,
        ContentFile(pdf),
        original_name=f"ket-qua-{dossier.code}.pdf",
        acting_user=user,
        kind=Attachment.Kind.RESULT,
    )


def _check(plan: _Plan, dossier: Dossier) -> None:
    """The story must end where the scenario says (else the generator has a bug)."""
    problems = []
    if dossier.status != plan.scenario.status:
        problems.append(f"trạng thái {dossier.status}, cần {plan.scenario.status}")
    late_story = plan.scenario.name in ("returned_late", "apology_returned")
    if late_story and (dossier.timeliness != "late" or dossier.late_agency_id is None):
        problems.append("cần trễ hạn và có cơ quan làm trễ")
    if plan.scenario.name.startswith("apology") and dossier.apologies != 1:
        problems.append("cần một lần xin lỗi, hẹn lại")
    if problems:
        raise GenerationError(
            f"Hồ sơ {dossier.code} (kịch bản {plan.scenario.name}): " + "; ".join(problems)
        )


def generate_dossiers(
    count: int,
    *,
    seed: int = 2025,
    months: int = 4,
    now: datetime | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> GenerationReport:
    """Create ``count`` demo dossiers over the last ``months`` months (see the module doc).

    ``progress(done, count)`` is called after each batch of dossiers (as
    :func:`motcua.simulation.bulk.generate_bulk` does).
    Raises :class:`GenerationError` when there is nothing to generate with, and lets any
    refusal of the services through.
    """
    if count < 0 or months < 1:
        raise ValueError("count must be >= 0 and months >= 1")
    started = time.monotonic()
    moment = now or timezone.now()
    routes = _build_routes()
    if not routes:
        raise GenerationError(
            "Chưa có thủ tục mẫu nào có quy trình nội bộ và cán bộ thực hiện: chạy "
            "«motcua demo» trước."
        )
    world = _World(
        rng=random.Random(seed),  # noqa: S311 (demo data, not secrets)
        routes=routes,
        now=moment,
        start=moment - timedelta(days=round(months * 30.44)),
        addresses=_address_book(),
    )
    plans = []
    for index in range(count):
        if index < len(SCENARIOS):
            scenario = SCENARIOS[index]
        else:
            scenario = _weighted(world.rng, [(s, s.weight) for s in SCENARIOS])
        plans.append(_plan(world, scenario))
    plans.sort(key=lambda p: p.first_at)
    report = GenerationReport()
    for first in range(0, len(plans), DOSSIERS_PER_TRANSACTION):
        batch = plans[first : first + DOSSIERS_PER_TRANSACTION]
        with transaction.atomic():
            for plan in batch:
                dossier = _execute(plan)
                _check(plan, dossier)
                report.add(plan, dossier)
        if progress is not None:
            progress(report.created, count)
    names = dict(Agency.objects.filter(pk__in=report._late_ids).values_list("pk", "name"))
    report.late_agencies = Counter({names[pk]: n for pk, n in report._late_ids.items()})
    report.seconds = time.monotonic() - started
    return report
