"""Staff roles (vai trò). Pure constants: no Django imports."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COUNTER_OFFICER = "counter_officer"  # cán bộ tiếp nhận (bộ phận một cửa)
    SPECIALIST = "specialist"  # chuyên viên xử lý
    UNIT_HEAD = "unit_head"  # trưởng phòng / lãnh đạo đơn vị
    AGENCY_LEADER = "agency_leader"  # lãnh đạo cơ quan (người ký)
    CLERK = "clerk"  # văn thư
    TTHC_CONTROL = "tthc_control"  # cán bộ kiểm soát TTHC
    ADMINISTRATOR = "administrator"  # quản trị hệ thống (của cơ quan)


ROLE_LABELS_VI: dict[Role, str] = {
    Role.COUNTER_OFFICER: "Cán bộ tiếp nhận và trả kết quả",
    Role.SPECIALIST: "Chuyên viên xử lý",
    Role.UNIT_HEAD: "Lãnh đạo phòng/đơn vị",
    Role.AGENCY_LEADER: "Lãnh đạo cơ quan (người ký)",
    Role.CLERK: "Văn thư",
    Role.TTHC_CONTROL: "Cán bộ kiểm soát TTHC",
    Role.ADMINISTRATOR: "Quản trị hệ thống",
}
