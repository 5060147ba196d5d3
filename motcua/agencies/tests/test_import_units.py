"""``motcua import-units``: counts, three pre-2025 tiers, idempotence, one audit event per run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet

from motcua.agencies.models import AdministrativeUnit
from motcua.audit.models import AuditEvent

Kind = AdministrativeUnit.Kind


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_units", *args, "--no-progress", stdout=out)
    return out.getvalue()


def units(generation: str) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(generation=generation)


@pytest.mark.django_db
def test_province_91_has_102_communes_in_2025() -> None:
    output = run("--province", "91")
    province = units("2025").get(code="91")
    assert province.name == "Tỉnh An Giang"
    assert province.kind == Kind.PROVINCE
    communes = units("2025").filter(parent=province)
    assert communes.count() == 102
    assert communes.filter(kind=Kind.COMMUNE).count() == 85
    assert communes.filter(kind=Kind.WARD).count() == 14
    assert communes.filter(kind=Kind.SPECIAL_ZONE).count() == 3
    assert units("2025").count() == 103
    ward = communes.get(code="30307")
    assert (ward.name, ward.short_name, ward.kind) == ("Phường Long Xuyên", "Long Xuyên", Kind.WARD)
    assert "tạo mới 103" in output
    assert "Tổng cộng: tạo mới 429, cập nhật 0, giữ nguyên 0." in output


@pytest.mark.django_db
def test_the_old_provinces_keep_three_tiers() -> None:
    run("--province", "91")
    old = units("pre2025")
    assert sorted(old.filter(parent=None).values_list("code", "name")) == [
        ("89", "Tỉnh An Giang"),
        ("91", "Tỉnh Kiên Giang"),
    ]
    assert old.filter(kind=Kind.DISTRICT, parent__code="89").count() == 11
    assert old.filter(kind=Kind.DISTRICT, parent__code="91").count() == 15
    assert old.filter(parent__parent__code="89").count() == 155
    assert old.filter(parent__parent__code="91").count() == 143
    my_binh = old.get(code="30280")
    assert my_binh.name == "Phường Mỹ Bình"
    assert my_binh.parent is not None and my_binh.parent.name == "Thành phố Long Xuyên"
    assert my_binh.parent.parent is not None and my_binh.parent.parent.code == "89"
    assert old.get(code="30283").kind == Kind.WARD
    assert old.filter(kind=Kind.TOWNSHIP, parent__parent__code="89").exists()


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_says_so() -> None:
    run("--province", "91")
    before = list(
        AdministrativeUnit.objects.values_list("pk", "generation", "code", "name", "parent_id")
    )
    output = run("--province", "91")
    after = list(
        AdministrativeUnit.objects.values_list("pk", "generation", "code", "name", "parent_id")
    )
    assert after == before
    assert "Tổng cộng: tạo mới 0, cập nhật 0, giữ nguyên 429." in output
    events = AuditEvent.objects.filter(action="units.imported")
    assert events.count() == 2
    assert events.first().payload["counts"]["2025"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 103,
    }  # type: ignore[union-attr]


@pytest.mark.django_db
def test_it_repairs_a_changed_unit() -> None:
    run("--province", "91")
    units("2025").filter(code="30307").update(name="Phường Đổi Tên", short_name="")
    output = run("--province", "91", "--generation", "2025")
    assert units("2025").get(code="30307").name == "Phường Long Xuyên"
    assert "cập nhật 1" in output
    assert units("pre2025").get(code="30307").name == "Phường Mỹ Hòa"  # same code, other unit


@pytest.mark.django_db
def test_the_whole_country_in_2025() -> None:
    run("--generation", "2025")
    assert units("2025").filter(parent=None).count() == 34
    assert units("2025").exclude(parent=None).count() == 3321
    assert units("2025").filter(parent=None, kind=Kind.CITY).count() == 6
    assert not units("pre2025").exists()


@pytest.mark.django_db
def test_an_unknown_province_is_refused() -> None:
    with pytest.raises(CommandError, match="99"):
        run("--province", "99")
    assert not AdministrativeUnit.objects.exists()
