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
