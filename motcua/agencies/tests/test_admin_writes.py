"""The organisation admin writes through ``agencies.services``: saving an agency or
correcting a unit leaves an audit row with the old and new values, deleting one too.
Denials change nothing."""

from __future__ import annotations

import pytest

from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.services import import_administrative_units, save_agency
from motcua.agencies.unit_sources import UnitRow
from motcua.audit.models import AuditEvent
from motcua.testing.admin_pages import (
    admin_client,
    change_url,
    delete,
    delete_selected,
    events,
    post_back,
    rows,
)
from motcua.testing.personas import Province, administrator, superuser

pytestmark = pytest.mark.django_db


def test_renaming_an_agency_audits_the_old_and_new_name(province: Province) -> None:
    admin = administrator(province.commune, "qt.longxuyen")
    response = post_back(
        admin_client(admin), change_url(province.justice), name="Phòng Văn hóa - Xã hội phường"
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = events("agency.changed")
    assert event.actor == admin
    assert event.payload["changes"] == {
        "name": ["Phòng Văn hóa - Xã hội", "Phòng Văn hóa - Xã hội phường"]
    }


def test_deleting_agencies_goes_through_the_service(province: Province) -> None:
    kind, level = Agency.Kind.UNIT, Agency.Level.COMMUNE
    first, second = (
        save_agency(
            Agency(code=code, name="Tổ mới", kind=kind, level=level, parent=province.commune)
        )
        for code in ("H01.30307.8", "H01.30307.9")
    )
    client = admin_client(superuser())
    assert delete(client, first).status_code == 302
    assert delete_selected(client, Agency, second.pk).status_code == 302
    assert not Agency.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert {e.target_id for e in events("agency.deleted")} == {str(first.pk), str(second.pk)}


def test_correcting_a_unit_audits_the_old_and_new_values(province: Province) -> None:
    import_administrative_units(
        [UnitRow("2025", "30307", "Phường Long Xuyen", "Long Xuyen", "ward", None, 2)]
    )
    unit = AdministrativeUnit.objects.get(code="30307")
    response = post_back(admin_client(superuser()), change_url(unit), name="Phường Long Xuyên")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AdministrativeUnit.objects.get(pk=unit.pk).name == "Phường Long Xuyên"
    [event] = events("agencies.unit_corrected")
    assert event.payload["changes"] == {"name": ["Phường Long Xuyen", "Phường Long Xuyên"]}


def test_an_agency_administrator_cannot_change_another_agency(province: Province) -> None:
    client = admin_client(administrator(province.other_commune, "qt.chaudoc"))
    before, audit = rows(Agency), AuditEvent.objects.count()
    for target in (province.commune, province.justice, province.police):
        assert client.get(change_url(target)).status_code == 404
        assert client.post(change_url(target), {"name": "Sửa"}).status_code == 404
        assert delete(client, target).status_code in (403, 404)
        delete_selected(client, Agency, target.pk)
    assert rows(Agency) == before and AuditEvent.objects.count() == audit
