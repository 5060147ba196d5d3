"""Pure rules about agencies: the electronic agency code. No Django imports."""

from __future__ import annotations

import re

# Decision 20/2020/QĐ-TTg art. 4: up to 35 characters of A–Z, 0–9 and '.', one
# dot-separated group per level; the level-1 group is a letter then two digits
# (e.g. H55, G01), so a commune of Thái Nguyên reads H55.242.
AGENCY_CODE_MAX_LENGTH = 35
AGENCY_CODE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[A-Z0-9]+)*$")


class InvalidAgencyCode(ValueError):
    pass


def validate_agency_code(code: str) -> str:
    """Return the code if it is a well-formed electronic agency code, else raise."""
    if not code or len(code) > AGENCY_CODE_MAX_LENGTH or not AGENCY_CODE_RE.match(code):
        raise InvalidAgencyCode(
            f"Mã định danh cơ quan {code!r} không hợp lệ: tối đa 35 ký tự A–Z, 0–9 và dấu chấm, "
            "nhóm đầu gồm 1 chữ cái và 2 chữ số (ví dụ H01.12.03)."
        )
    return code


# --- The tree path ------------------------------------------------------------------
# Each agency stores the ids of its ancestors and itself as '/1/5/23/'. A subtree is
# every path that starts with the root's path.


def path_depth(path: str) -> int:
    """0 for a root, 1 for its children, …; -1 for an empty (unsaved) path."""
    return path.strip("/").count("/") if path.strip("/") else -1


def is_in_subtree(path: str, ancestor_path: str, *, strict: bool = False) -> bool:
    """Whether the node at ``path`` lies in the subtree rooted at ``ancestor_path``."""
    if not path or not ancestor_path or not path.startswith(ancestor_path):
        return False
    return not strict or path != ancestor_path


def would_create_cycle(agency_id: int, new_parent_path: str) -> bool:
    """Whether moving agency ``agency_id`` under the parent at ``new_parent_path`` loops."""
    return f"/{agency_id}/" in new_parent_path


# --- Names of administrative units ------------------------------------------------------
# Full names start with the unit type: "Phường Long Xuyên", "Đặc khu Phú Quốc",
# "Thành phố Long Xuyên", "Huyện Chợ Mới", "Tỉnh An Giang". Longest prefix first.
UNIT_TYPE_PREFIXES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)


def split_unit_name(full_name: str) -> tuple[str, str]:
    """('Phường', 'Long Xuyên') for 'Phường Long Xuyên'; ('', name) if there is no type."""
    name = " ".join(full_name.split())
    for prefix in UNIT_TYPE_PREFIXES:
        if name.startswith(prefix + " "):
            return prefix, name[len(prefix) + 1 :]
    return "", name


def peoples_committee_name(unit_full_name: str) -> str:
    """'UBND phường Long Xuyên' for 'Phường Long Xuyên' (the unit type in lower case)."""
    unit_type, name = split_unit_name(unit_full_name)
    return f"UBND {unit_type.lower()} {name}" if unit_type else f"UBND {name}"


def unit_name_in_text(unit_full_name: str) -> str:
    """'phường Long Xuyên': the full name as written inside a sentence or an agency name."""
    unit_type, name = split_unit_name(unit_full_name)
    return f"{unit_type.lower()} {name}" if unit_type else name
