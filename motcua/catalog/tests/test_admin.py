"""The catalog admin writes through ``catalog.services`` and is scoped by agency: every
save or deletion leaves an audit row with the old and new values; every denial leaves
the rows as they were."""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEvent
from motcua.catalog import rules
from motcua.catalog.models import Field, LegalBasis, Procedure, ProcedureOffering
from motcua.catalog.services import save_offering
from motcua.testing.admin_pages import (
    admin_client,
    change_url,
    delete,
    delete_selected,
    events,
    list_url,
    post_back,
    rows,
)
from motcua.testing.personas import Province, administrator, superuser

pytestmark = pytest.mark.django_db

OFFERING_PERMISSIONS = (
    "catalog.view_procedureoffering",
    "catalog.add_procedureoffering",
    "catalog.change_procedureoffering",
    "catalog.delete_procedureoffering",
)


def test_changing_an_offering_audits_the_old_and_new_active_flag_and_time_limit(
    province: Province,
) -> None:
    root = superuser()
    response = post_back(
        admin_client(root),
        change_url(province.offering),
        local_processing_working_days="2",
        is_active=None,
    )
    assert response.status_code == 302
    offering = ProcedureOffering.objects.get(pk=province.offering.pk)
    assert offering.local_processing_working_days == 2 and not offering.is_active
    [event] = events("catalog.offering_changed")
    assert event.actor == root
    assert event.payload["changes"] == {
        "is_active": [True, False],
        "local_processing_working_days": [None, 2],
    }


def test_a_local_time_limit_beyond_the_national_one_is_refused_and_nothing_changes(
    province: Province,
) -> None:
    before, audit = rows(ProcedureOffering), AuditEvent.objects.count()
    response = post_back(
        admin_client(superuser()),
        change_url(province.offering),
        local_processing_working_days="4",
    )
    assert response.status_code == 200
    assert "không được dài hơn thời hạn quy định" in response.content.decode()
    assert rows(ProcedureOffering) == before
    assert AuditEvent.objects.count() == audit


def test_deleting_offerings_one_by_one_or_selected_goes_through_the_service(
    province: Province,
) -> None:
    client = admin_client(superuser())
    other = save_offering(ProcedureOffering(agency=province.police, procedure=province.procedure))
    assert delete(client, province.offering).status_code == 302
    assert delete_selected(client, ProcedureOffering, other.pk).status_code == 302
    assert not ProcedureOffering.objects.exists()
    deleted = {event.target_id for event in events("catalog.offering_deleted")}
    assert deleted == {str(province.offering.pk), str(other.pk)}


def test_an_agency_administrator_cannot_touch_another_agencys_offering(
    province: Province,
) -> None:
    """Châu Đốc's administrator, even given the offering permissions, cannot see, change or
    delete Long Xuyên's offering, nor file one for Long Xuyên."""
    outsider = administrator(province.other_commune, "qt.chaudoc", *OFFERING_PERMISSIONS)
    client = admin_client(outsider)
    before, audit = rows(ProcedureOffering), AuditEvent.objects.count()
    assert client.get(list_url(ProcedureOffering)).context["cl"].result_count == 0
    url = change_url(province.offering)
    assert client.get(url).status_code == 404
    changed = {"procedure": province.procedure.pk, "agency": province.commune.pk}
    assert client.post(url, changed).status_code == 404
    assert delete(client, province.offering).status_code == 404
    delete_selected(client, ProcedureOffering, province.offering.pk)
    added = client.post(
        f"{list_url(ProcedureOffering)}add/",
        {"procedure": province.procedure.pk, "agency": province.commune.pk, "is_active": "on"},
    )
    assert added.status_code == 200 and "agency" in added.context["adminform"].form.errors
    assert rows(ProcedureOffering) == before
    assert AuditEvent.objects.count() == audit


def test_an_agency_administrator_changes_the_offerings_of_their_own_agency(
    province: Province,
) -> None:
    own = save_offering(
        ProcedureOffering(agency=province.other_commune, procedure=province.procedure)
    )
    outsider = administrator(province.other_commune, "qt.chaudoc", *OFFERING_PERMISSIONS)
    response = post_back(admin_client(outsider), change_url(own), is_active=None)
    assert response.status_code == 302
    [event] = events("catalog.offering_changed")
    assert event.target_id == str(own.pk) and event.actor_agency == province.other_commune
    assert event.payload["changes"] == {"is_active": [True, False]}


def test_saving_a_procedure_writes_it_with_its_inline_rows_in_one_service_call(
    province: Province,
) -> None:
    procedure = province.procedure
    old_name = procedure.name
    response = post_back(
        admin_client(superuser()),
        change_url(procedure),
        name="Liên thông đăng ký khai sinh, thường trú, thẻ BHYT trẻ em",
        **{
            "legal_basis-TOTAL_FORMS": "2",
            "legal_basis-1-order": "1",
            "legal_basis-1-number": "07/2025/TT-BTP",
            "legal_basis-1-title": "Thông tư",
            "offerings-0-local_processing_working_days": "2",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure.refresh_from_db()
    assert procedure.search_name == rules.search_key(procedure.name)  # index kept in step
    assert LegalBasis.objects.filter(procedure=procedure, number="07/2025/TT-BTP").exists()
    [event] = events("catalog.procedure_changed")
    assert event.payload["changes"] == {"name": [old_name, procedure.name]}
    assert event.payload["parts"] == {"legalbasis_saved": 1, "procedureoffering_saved": 1}
    # The offering inline went through save_offering: its own audit row.
    [offering_event] = events("catalog.offering_changed")
    assert offering_event.payload["changes"] == {"local_processing_working_days": [None, 2]}


def test_deleting_a_procedure_goes_through_the_service(province: Province) -> None:
    assert delete(admin_client(superuser()), province.procedure).status_code == 302
    assert not Procedure.objects.exists()
    [event] = events("catalog.procedure_deleted")
    assert event.payload == {"code": "2.000986"}


def test_a_new_field_gets_its_short_code_from_the_service(province: Province) -> None:
    response = admin_client(superuser()).post(f"{list_url(Field)}add/", {"name": "Đất đai"})
    assert response.status_code == 302
    assert Field.objects.get(name="Đất đai").slug == "dat-dai"
    [event] = events("catalog.field_created")
    assert event.payload["changes"]["name"] == [None, "Đất đai"]
