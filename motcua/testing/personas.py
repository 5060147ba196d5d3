"""Personas and a small province for tests, built through the services.

Used through the ``province`` fixture (root ``conftest.py``).

- commune "Phường Long Xuyên" (H01.30307) with its one-stop unit and a justice unit:
  ``counter`` (tiếp nhận), ``specialist`` (tư pháp), ``unit_head``, ``leader`` (ký);
- provincial police (H01.40) and social insurance (H01.41): ``police``, ``insurer``;
- another commune, "Phường Châu Đốc" (H01.30316): ``outsider`` (a specialist) and
  ``outsider_counter``;
- the interconnected birth + residence + child health-insurance procedure offered by the
  commune, with a 3-working-day process across the three agencies (Decree 63/2024).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.models import Permission

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user, save_user
from motcua.agencies.models import Agency
from motcua.agencies.services import save_agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO, import_procedure_records
from motcua.dossiers.models import Dossier
from motcua.dossiers.process_services import StepSpec, define_process
from motcua.dossiers.rules import Action, Actor
from motcua.dossiers.services import (
    ApplicantData,
    DocumentData,
    perform_action,
    receive_at_counter,
)

PASSWORD = "Mot-cua-2025!"  # noqa: S105 (test personas only)

BIRTH_RECORD: dict[str, Any] = {
    "code": "2.000986",
    "name": (
        "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, "
        "cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
    ),
    "decision": "1380/QĐ-BTP",
    "levels": ["commune"],
    "field": "Hộ tịch",
    "applicant_types": ["Công dân Việt Nam"],
    "channels": [
        {
            "channel": "direct",
            "processing_time": {"value": 3, "unit": "working_day", "text": "3 Ngày làm việc"},
            "fee_text": "Miễn phí",
            "fee_vnd": 0,
            "description": None,
        }
    ],
    "documents": [
        {
            "group": "Giấy tờ phải nộp",
            "name": "Tờ khai đăng ký khai sinh",
            "original_count": 1,
            "copy_count": 0,
            "form_name": None,
            "note": None,
        },
        {
            "group": "Giấy tờ phải nộp",
            "name": "Giấy chứng sinh",
            "original_count": 1,
            "copy_count": 0,
            "form_name": None,
            "note": None,
        },
    ],
    "legal_basis": [{"title": "Nghị định", "number": "63/2024/NĐ-CP"}],
    "result": [{"name": "Giấy khai sinh", "code": "KQ.G15.000031"}],
    "source_url": "https://dichvucong.gov.vn/",
    "source_ministry": "tu-phap",
    "detail": True,
    "parse_warnings": [],
}


@dataclass
class Province:
    commune: Agency
    one_stop: Agency
    justice: Agency
    police: Agency
    police_unit: Agency
    insurance: Agency
    insurance_unit: Agency
    other_commune: Agency
    counter: User
    specialist: User
    unit_head: User
    leader: User
    clerk: User
    police_officer: User
    insurer: User
    outsider: User
    outsider_counter: User
    outsider_leader: User
    procedure: Procedure
    offering: ProcedureOffering

    def receive(self, **changes: Any) -> Dossier:
        """:data:`APPLICANT`'s dossier with :data:`DOCUMENTS`, received by ``counter``
        (``changes``: other arguments of ``receive_at_counter``)."""
        return receive_at_counter(
            acting_user=self.counter,
            offering=self.offering,
            applicant=APPLICANT,
            documents=DOCUMENTS,
            **changes,
        )

    def process(self, code: str) -> Dossier:
        """Take a received dossier through the persona process to "result ready"
        (processed): the counter, justice and police forward, insurance submits for
        signature, the leader signs."""
        for user in (self.counter, self.specialist, self.police_officer):
            perform_action(code, Action.FORWARD, acting_user=user)
        perform_action(code, Action.SUBMIT_FOR_SIGNATURE, acting_user=self.insurer)
        return perform_action(code, Action.SIGN, acting_user=self.leader)


def _agency(code: str, name: str, kind: str, level: str, parent: Agency | None = None) -> Agency:
    return save_agency(
        Agency(code=code, name=name, kind=kind, level=level, parent=parent, receives_dossiers=True)
    )


def _staff(
    username: str, name: str, agency: Agency, roles: list[Role], unit: Agency | None = None
) -> User:
    return create_staff_user(
        username,
        full_name=name,
        agency=agency,
        unit=unit,
        roles=roles,
        password=PASSWORD,
    )


def build_province() -> Province:
    K = Agency.Kind
    L = Agency.Level
    root = _agency("H01", "UBND tỉnh An Giang", K.PEOPLES_COMMITTEE, L.PROVINCE)
    commune = _agency("H01.30307", "UBND phường Long Xuyên", K.PEOPLES_COMMITTEE, L.COMMUNE, root)
    one_stop = _agency(
        "H01.30307.1",
        "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        K.ONE_STOP_UNIT,
        L.COMMUNE,
        commune,
    )
    justice = _agency("H01.30307.2", "Phòng Văn hóa - Xã hội", K.UNIT, L.COMMUNE, commune)
    police = _agency("H01.40", "Công an tỉnh An Giang", K.CENTRAL_BRANCH, L.PROVINCE, root)
    police_unit = _agency(
        "H01.40.1",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
        K.UNIT,
        L.PROVINCE,
        police,
    )
    insurance = _agency(
        "H01.41", "Bảo hiểm xã hội tỉnh An Giang", K.CENTRAL_BRANCH, L.PROVINCE, root
    )
    insurance_unit = _agency("H01.41.1", "Phòng Thu - Sổ, thẻ", K.UNIT, L.PROVINCE, insurance)
    other = _agency("H01.30316", "UBND phường Châu Đốc", K.PEOPLES_COMMITTEE, L.COMMUNE, root)

    import_procedure_records([BIRTH_RECORD], source="test")
    procedure = Procedure.objects.get(code="2.000986")
    offering = ProcedureOffering.objects.create(agency=commune, procedure=procedure)
    define_process(
        offering,
        name="Liên thông khai sinh - thường trú - BHYT (3 ngày làm việc)",
        legal_working_days=3,
        steps=[
            StepSpec(0, "Tiếp nhận hồ sơ", one_stop, Actor.COUNTER_OFFICER, 2),
            StepSpec(1, "Đăng ký khai sinh", commune, Actor.SPECIALIST, 6, unit=justice),
            StepSpec(2, "Đăng ký thường trú", police, Actor.SPECIALIST, 6, unit=police_unit),
            StepSpec(3, "Cấp thẻ BHYT", insurance, Actor.SPECIALIST, 4, unit=insurance_unit),
            StepSpec(4, "Ký, phê duyệt kết quả", commune, Actor.AGENCY_LEADER, 2),
            StepSpec(5, "Trả kết quả", one_stop, Actor.COUNTER_OFFICER, 4),
        ],
    )
    return Province(
        commune=commune,
        one_stop=one_stop,
        justice=justice,
        police=police,
        police_unit=police_unit,
        insurance=insurance,
        insurance_unit=insurance_unit,
        other_commune=other,
        counter=_staff("tn.longxuyen", "Trần Thị Thu", commune, [Role.COUNTER_OFFICER], one_stop),
        specialist=_staff("cv.longxuyen", "Lê Văn Minh", commune, [Role.SPECIALIST], justice),
        unit_head=_staff("tp.longxuyen", "Phạm Thị Lan", commune, [Role.UNIT_HEAD], justice),
        leader=_staff("ld.longxuyen", "Nguyễn Văn Hùng", commune, [Role.AGENCY_LEADER]),
        clerk=_staff("vt.longxuyen", "Đỗ Thị Mai", commune, [Role.CLERK]),
        police_officer=_staff("cv.congan", "Võ Quốc Bảo", police, [Role.SPECIALIST], police_unit),
        insurer=_staff("cv.bhxh", "Huỳnh Ngọc Anh", insurance, [Role.SPECIALIST], insurance_unit),
        outsider=_staff("cv.chaudoc", "Lý Thành Công", other, [Role.SPECIALIST]),
        outsider_counter=_staff("tn.chaudoc", "Châu Mỹ Linh", other, [Role.COUNTER_OFFICER]),
        outsider_leader=_staff("ld.chaudoc", "Mai Văn Tâm", other, [Role.AGENCY_LEADER]),
        procedure=procedure,
        offering=offering,
    )


def administrator(agency: Agency, username: str, *permissions: str) -> User:
    """An administrator of ``agency``'s subtree (the admin site, the "Quản trị cơ quan"
    group), with the further model permissions (``"app.codename"``) given, as a province
    may grant them through a group."""
    user = _staff(username, f"Quản trị {agency.name}", agency, [Role.ADMINISTRATOR])
    if permissions:
        pairs = [dotted.split(".") for dotted in permissions]
        given = [
            Permission.objects.get(content_type__app_label=app, codename=code)
            for app, code in pairs
        ]
        save_user(user, permissions=given)
    return user


def superuser(username: str = "quantri.he.thong") -> User:
    """The system's superuser (Django's own way to make one)."""
    return User.objects.create_superuser(username, f"{username}@example.vn", PASSWORD)


APPLICANT = ApplicantData(
    name="Nguyễn Thị Hồng Nhung",
    id_number="089190001234",
    phone="0912345678",
    address="Phường Long Xuyên, tỉnh An Giang",
)
DOCUMENTS = [
    DocumentData("Tờ khai đăng ký khai sinh", original_count=1),
    DocumentData("Giấy chứng sinh", original_count=1),
]


@cache
def _shipped_demo_records() -> dict[str, dict[str, Any]]:
    data = json.loads(PACKAGED_DEMO.read_text(encoding="utf-8"))
    return {record["code"]: record for record in data["procedures"]}


def shipped_record(code: str) -> dict[str, Any]:
    """A copy of the record of ``code`` in the shipped demo catalog, as the demo imports it."""
    return copy.deepcopy(_shipped_demo_records()[code])
