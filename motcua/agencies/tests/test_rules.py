"""The pure rules of the agency tree: electronic codes, tree paths, unit names."""

from __future__ import annotations

import pytest

from motcua.agencies.rules import (
    InvalidAgencyCode,
    is_in_subtree,
    path_depth,
    peoples_committee_name,
    split_unit_name,
    unit_name_in_text,
    validate_agency_code,
    would_create_cycle,
)


@pytest.mark.parametrize(
    "code",
    [
        "H01",
        "G01",
        "H55.242",
        "H01.4.2",
        "H01.30307.1",
        "H33.899.30742",
        "A99.B1.C2",
        "H01." + "9" * 31,
    ],
)
def test_well_formed_codes_are_accepted(code: str) -> None:
    assert validate_agency_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "h01",
        "H1",
        "H001",
        "01H",
        "HH1",
        "H01.",
        ".H01",
        "H01..2",
        "H01.4-2",
        "H01 .2",
        "H01.a",
        "H01.Đ1",
        "000.00.00.H13",
        "H01." + "9" * 32,  # 36 characters
    ],
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidAgencyCode):
        validate_agency_code(code)


def test_path_depth_counts_ancestors() -> None:
    assert path_depth("/1/") == 0
    assert path_depth("/1/5/23/") == 2
    assert path_depth("") == -1


def test_subtree_membership_is_by_whole_path_segments() -> None:
    assert is_in_subtree("/1/2/", "/1/")
    assert is_in_subtree("/1/", "/1/")
    assert not is_in_subtree("/1/", "/1/", strict=True)
    assert not is_in_subtree("/1/23/", "/1/2/")  # a shared digit prefix is not ancestry
    assert not is_in_subtree("/1/2/", "")
    assert not is_in_subtree("", "/1/")


def test_cycle_detection() -> None:
    assert would_create_cycle(5, "/1/5/23/")  # under its own descendant
    assert would_create_cycle(5, "/1/5/")  # under itself
    assert not would_create_cycle(5, "/1/55/")
    assert not would_create_cycle(5, "/15/")


@pytest.mark.parametrize(
    ("full", "unit_type", "name", "in_text"),
    [
        ("Phường Long Xuyên", "Phường", "Long Xuyên", "phường Long Xuyên"),
        ("Xã Cù Lao Giêng", "Xã", "Cù Lao Giêng", "xã Cù Lao Giêng"),
        ("Đặc khu Phú Quốc", "Đặc khu", "Phú Quốc", "đặc khu Phú Quốc"),
        ("Thành phố Long Xuyên", "Thành phố", "Long Xuyên", "thành phố Long Xuyên"),
        ("Thị trấn Chợ Mới", "Thị trấn", "Chợ Mới", "thị trấn Chợ Mới"),
        ("Thị xã Tân Châu", "Thị xã", "Tân Châu", "thị xã Tân Châu"),
        ("Huyện Chợ Mới", "Huyện", "Chợ Mới", "huyện Chợ Mới"),
        ("Tỉnh An Giang", "Tỉnh", "An Giang", "tỉnh An Giang"),
        ("Xã  Xuân   Thới", "Xã", "Xuân Thới", "xã Xuân Thới"),
        ("Xã Thị Xã Mới", "Xã", "Thị Xã Mới", "xã Thị Xã Mới"),
        ("Côn Đảo", "", "Côn Đảo", "Côn Đảo"),
    ],
)  # fmt: skip
def test_unit_names(full: str, unit_type: str, name: str, in_text: str) -> None:
    assert split_unit_name(full) == (unit_type, name)
    assert peoples_committee_name(full) == f"UBND {in_text}"
    assert unit_name_in_text(full) == in_text
