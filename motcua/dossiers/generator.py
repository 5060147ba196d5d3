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
member who may hold it — with the demo accounts (``motcua.accounts.demo``) that is the
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

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from motcua.accounts.demo import DEMO_PASSWORD, DemoLogin
from motcua.accounts.models import User
from motcua.accounts.roles import ROLE_LABELS_VI, Role
from motcua.accounts.services import create_staff_user
from motcua.agencies.demo import (
    CENTRAL_BRANCHES,
    PROVINCE_NAME,
    PROVINCE_STATISTICS_CODE,
    commune_code,
)
from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import unit_name_in_text
from motcua.agencies.unit_sources import GENERATION_2025
from motcua.catalog.demo import demo_procedure_codes
from motcua.catalog.models import ProcedureChannel, ProcedureOffering
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, Actor, Channel, Status
from motcua.dossiers.services import (
    ApplicantData,
    DocumentData,
    perform_action,
    receive_at_counter,
    submit_online,
)
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
        logins.append((username, ROLE_LABELS_VI[role], (unit or agency).name))
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


def applicant_name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    if rng.random() < 0.03:
        surname, given = _KHMER[sex]
        return f"{surname} {rng.choice(given)}"
    surname = _weighted(rng, _SURNAMES)
    return f"{surname} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"


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
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return rng.choice(("RB", "EB", "RR")) + "".join(map(str, digits)) + f"{check}VN"


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
    Scenario(
        "online_supplemented_returned", Status.RETURNED, 1, "Bổ sung trước tiếp nhận rồi trả"
    ),
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


@dataclass
class _Step:
    name: str
    stage: int
    branch: int
    hours: int
    agency_id: int
    user: User


@dataclass
class _Route:
    """An offering whose process the generator can run, with who does each step."""

    offering: ProcedureOffering
    days: int
    receive: _Step
    middle: list[list[list[_Step]]]  # stages → branches → specialist steps
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


def _roles(user: User) -> frozenset[Role]:
    return frozenset(Role(a.role) for a in user.role_assignments.all())


def _may_hold(user: User, roles: frozenset[Role], agency_id: int, unit_id: int | None, role: str) -> bool:
    """Mirror of the service's rule for who holds a step (agency or unit, role, unit)."""
    if Role(role) not in roles or agency_id not in (user.agency_id, user.unit_id):
        return False
    if role in (Actor.UNIT_HEAD, Actor.AGENCY_LEADER):
        return unit_id is None or user.unit_id in (None, unit_id)
    return unit_id is None or user.unit_id in (None, unit_id)


def _holder(staff: list[tuple[User, frozenset[Role]]], step: Any) -> User | None:
    candidates = [
        u for u, roles in staff if _may_hold(u, roles, step.agency_id, step.unit_id, step.role)
    ]
    if not candidates:
        return None
    # The officer of the very unit (or the agency's own leader) first.
    exact = [u for u in candidates if u.unit_id == step.unit_id]
    return (exact or candidates)[0]


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
        for d in offering.procedure.documents.all()
        if d.original_count or d.copy_count
    ][:6]
    return docs or [DocumentData("Đơn đề nghị (theo mẫu)", original_count=1)]


def _build_routes() -> list[_Route]:
    staff_rows = list(
        User.objects.filter(kind=User.Kind.STAFF, is_active=True, agency__isnull=False)
        .prefetch_related("role_assignments")
        .order_by("username")
    )
    staff = [(u, _roles(u)) for u in staff_rows]
    places = {u.agency_id for u in staff_rows}
    offerings = list(
        ProcedureOffering.objects.filter(
            is_active=True,
            agency_id__in=places,
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
    routes = []
    for offering in offerings:
        route = _route(offering, staff, children)
        if route is not None:
            routes.append(route)
    return routes


def _route(
    offering: ProcedureOffering,
    staff: list[tuple[User, frozenset[Role]]],
    children: dict[int, list[Agency]],
) -> _Route | None:
    """The offering's process in the shape the generator runs, or None.

    Shape: a counter step, one or more stages of specialists (branches run in
    parallel), the leader's signature, a counter step to return the result.
    """
    process = offering.process
    rows = sorted(process.steps.all(), key=lambda s: (s.stage, s.branch, s.position))
    stages: dict[int, dict[int, list[_Step]]] = {}
    for row in rows:
        user = _holder(staff, row)
        if user is None:
            return None
        step = _Step(row.name, row.stage, row.branch, row.hours, row.agency_id, user)
        stages.setdefault(row.stage, {}).setdefault(row.branch, []).append(step)
    ordered = [[stages[s][b] for b in sorted(stages[s])] for s in sorted(stages)]
    if len(ordered) < 4:
        return None
    first, *middle, sign, last = ordered

    def single(stage: list[list[_Step]], role: Actor) -> _Step | None:
        if len(stage) == 1 and len(stage[0]) == 1:
            only = stage[0][0]
            if Role.COUNTER_OFFICER in () or only.user.has_role(Role(role.value)):
                return only
        return None

    receive, signer, give_back = (
        single(first, Actor.COUNTER_OFFICER),
        single(sign, Actor.AGENCY_LEADER),
        single(last, Actor.COUNTER_OFFICER),
    )
    if receive is None or signer is None or give_back is None:
        return None
    if not all(
        s.user.has_role(Role.SPECIALIST) for stage in middle for branch in stage for s in branch
    ):
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
        receive=receive,
        middle=middle,
        sign=signer,
        give_back=give_back,
        online_counter=online_counter,
        online=online_counter is not None and ProcedureChannel.Channel.ONLINE in channels,
        postal=ProcedureChannel.Channel.POSTAL in channels,
        documents=_documents(offering),
        weight=PROCEDURE_WEIGHTS.get(offering.procedure.code, 1.0),
        home=home if home is not None and home.level_kind_is_local() else None,
        cal=calendar_for(offering.agency).compiled,
    )
