"""Reading the packaged lists of administrative units (``motcua/data/units/``).

Turns the CSV files into plain ``UnitRow`` values, parents before children; writing
them to the database is ``services.import_administrative_units``. See the README next
to the data for the sources and licences.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Final

from motcua.agencies.rules import split_unit_name

GENERATION_2025: Final = "2025"
GENERATION_PRE2025: Final = "pre2025"
GENERATIONS: Final = (GENERATION_2025, GENERATION_PRE2025)

# Unit type (the first words of the full name) → AdministrativeUnit.Kind value, per tier.
_PROVINCE_KINDS = {"Tỉnh": "province", "Thành phố": "city"}
_DISTRICT_KINDS = {kind: "district" for kind in ("Huyện", "Quận", "Thị xã", "Thành phố")}
_COMMUNE_KINDS = {
    "Xã": "commune",
    "Phường": "ward",
    "Thị trấn": "township",
    "Đặc khu": "special_zone",
}


class UnitDataError(ValueError):
    """The packaged data has a row the importer does not understand."""


@dataclass(frozen=True)
class UnitRow:
    generation: str
    code: str
    name: str  # full name, e.g. "Phường Long Xuyên"
    short_name: str  # "Long Xuyên"
    kind: str  # AdministrativeUnit.Kind value
    parent_code: str | None
    tier: int  # 0 province, 1 district (pre-2025 only), 2 commune


def _open(filename: str) -> Iterator[dict[str, str]]:
    source = resources.files("motcua") / "data" / "units" / filename
    yield from csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))


def _row(
    generation: str, code: str, full_name: str, kinds: dict[str, str], parent: str | None, tier: int
) -> UnitRow:
    unit_type, short_name = split_unit_name(full_name)
    if unit_type not in kinds:
        raise UnitDataError(f"Không nhận ra loại đơn vị hành chính của {code} {full_name!r}.")
    return UnitRow(generation, code, full_name, short_name, kinds[unit_type], parent, tier)


def old_province_codes(new_province_code: str) -> list[str]:
    """Pre-2025 province codes merged into the 2025 province (91 → ['89', '91'])."""
    return sorted(
        row["old_province_code"]
        for row in _open("province_merges_2025.csv")
        if row["new_province_code"] == new_province_code
    )


def province_codes_2025() -> list[str]:
    return [row["province_code"] for row in _open("provinces_2025.csv")]


def units_2025(province: str | None = None) -> list[UnitRow]:
    """The 2025 provinces and their communes (two tiers), optionally one province."""
    rows = [
        _row(GENERATION_2025, p["province_code"], p["full_name"], _PROVINCE_KINDS, None, 0)
        for p in _open("provinces_2025.csv")
        if province is None or p["province_code"] == province
    ]
    rows += [
        _row(
            GENERATION_2025,
            w["ward_code"],
            w["ward_full_name"],
            _COMMUNE_KINDS,
            w["province_code"],
            2,
        )
        for w in _open("wards_2025_flat.csv")
        if province is None or w["province_code"] == province
    ]
    return rows


def units_pre2025(old_provinces: list[str] | None = None) -> list[UnitRow]:
    """The pre-2025 provinces → districts → communes, optionally only some old provinces."""
    provinces: dict[str, UnitRow] = {}
    districts: dict[str, UnitRow] = {}
    communes: list[UnitRow] = []
    for w in _open("wards_pre2025_flat.csv"):
        province_code = w["province_code"]
        if old_provinces is not None and province_code not in old_provinces:
            continue
        if province_code not in provinces:
            provinces[province_code] = _row(
                GENERATION_PRE2025,
                province_code,
                w["province_full_name"],
                _PROVINCE_KINDS,
                None,
                0,
            )
        district_code = w["district_code"]
        if district_code not in districts:
            districts[district_code] = _row(
                GENERATION_PRE2025,
                district_code,
                w["district_full_name"],
                _DISTRICT_KINDS,
                province_code,
                1,
            )
        if w["ward_code"]:  # five island districts have no communes
            communes.append(
                _row(
                    GENERATION_PRE2025,
                    w["ward_code"],
                    w["ward_full_name"],
                    _COMMUNE_KINDS,
                    district_code,
                    2,
                )
            )
    return [*provinces.values(), *districts.values(), *communes]


def load_units(
    *, province: str | None = None, generations: tuple[str, ...] = GENERATIONS
) -> list[UnitRow]:
    """Rows to import, parents first. ``province`` is a 2025 code (e.g. '91'); for the
    pre-2025 generation it selects the old provinces merged into it (89 and 91)."""
    if province is not None and province not in province_codes_2025():
        raise UnitDataError(f"Không có tỉnh/thành phố mã {province!r} trong danh mục 2025.")
    rows: list[UnitRow] = []
    if GENERATION_2025 in generations:
        rows += units_2025(province)
    if GENERATION_PRE2025 in generations:
        rows += units_pre2025(old_province_codes(province) if province else None)
    return sorted(rows, key=lambda row: row.tier)
