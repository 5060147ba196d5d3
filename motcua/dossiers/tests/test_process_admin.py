"""The internal process admin saves a process with its steps through
``process_services.define_process`` (the steps checked against the legal time limit on
the form, the audit row with the old and new values) and is scoped by the offering's
agency; every denial changes nothing."""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEvent
from motcua.catalog.models import ProcedureOffering
from motcua.catalog.services import save_offering
from motcua.dossiers.models import Process, ProcessStep
from motcua.dossiers.process_services import delete_process
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

PROCESS_PERMISSIONS = (
    "dossiers.view_process",
    "dossiers.add_process",
    "dossiers.change_process",
    "dossiers.delete_process",
    "dossiers.view_processstep",
    "dossiers.add_processstep",
    "dossiers.change_processstep",
    "dossiers.delete_processstep",
    "catalog.view_procedureoffering",
)


def snapshot() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return rows(Process), rows(ProcessStep)


def test_changing_a_step_saves_the_process_through_the_service_with_old_and_new_steps(
    province: Province,
) -> None:
    process = province.offering.process
    root = superuser()
    response = post_back(
        admin_client(root),
        change_url(process),
        name="Liên thông khai sinh (rút gọn)",
        **{"steps-5-hours": "2", "steps-5-name": "Trả kết quả tại quầy"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    last = ProcessStep.objects.get(process=process, stage=5)
    assert (last.name, last.hours) == ("Trả kết quả tại quầy", 2)
    [event] = events("dossiers.process_defined")[1:]  # the first one built the fixture
    assert event.actor == root
    changes = event.payload["changes"]
    assert changes["name"][1] == "Liên thông khai sinh (rút gọn)"
    old_steps, new_steps = changes["steps"]
    assert old_steps[5][3:] == ["Trả kết quả", province.one_stop.pk, None, "counter_officer", 4]
    assert new_steps[5][3:] == [
        *("Trả kết quả tại quầy", province.one_stop.pk, None, "counter_officer", 2)
    ]
    assert old_steps[:5] == new_steps[:5]


def test_steps_beyond_the_legal_time_limit_are_refused_and_nothing_changes(
    province: Province,
) -> None:
    process = province.offering.process
    before, audit = snapshot(), AuditEvent.objects.count()
    response = post_back(admin_client(superuser()), change_url(process), **{"steps-1-hours": "9"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tổng thời gian các bước (27 giờ làm việc) vượt thời hạn giải quyết" in page
    assert snapshot() == before and AuditEvent.objects.count() == audit


def test_deleting_a_process_goes_through_the_service(province: Province) -> None:
    process = province.offering.process
    assert delete(admin_client(superuser()), process).status_code == 302
    assert not Process.objects.exists() and not ProcessStep.objects.exists()
    [event] = events("dossiers.process_deleted")
    assert event.target_id == str(process.pk)


def test_an_agency_administrator_cannot_touch_another_agencys_process(
    province: Province,
) -> None:
    process = province.offering.process
    client = admin_client(administrator(province.other_commune, "qt.chaudoc", *PROCESS_PERMISSIONS))
    before, audit = snapshot(), AuditEvent.objects.count()
    assert client.get(list_url(Process)).context["cl"].result_count == 0
    assert client.get(change_url(process)).status_code == 404
    assert client.post(change_url(process), {"name": "Sửa"}).status_code == 404
    assert delete(client, process).status_code == 404
    delete_selected(client, Process, process.pk)
    # Nor can Châu Đốc define a process for Long Xuyên's offering.
    assert snapshot() == before and AuditEvent.objects.count() == audit
    delete_process(process)  # so that the offering has none
    before, audit = snapshot(), AuditEvent.objects.count()
    added = client.post(
        f"{list_url(Process)}add/",
        {
            "offering": province.offering.pk,
            "name": "Quy trình lạ",
            "legal_working_days": "3",
            "apply_cutoff": "on",
            "is_active": "on",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 200 and "offering" in added.context["adminform"].form.errors
    assert snapshot() == before and AuditEvent.objects.count() == audit


def test_an_agency_administrator_defines_the_process_of_their_own_offering(
    province: Province,
) -> None:
    own = save_offering(
        ProcedureOffering(agency=province.other_commune, procedure=province.procedure)
    )
    admin = administrator(province.other_commune, "qt.chaudoc", *PROCESS_PERMISSIONS)
    step = {"stage": "0", "branch": "0", "position": "0", "agency": own.agency_id}
    response = admin_client(admin).post(
        f"{list_url(Process)}add/",
        {
            "offering": own.pk,
            "name": "Khai sinh tại Châu Đốc",
            "legal_working_days": "3",
            "apply_cutoff": "on",
            "is_active": "on",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            **{f"steps-0-{k}": v for k, v in step.items()},
            "steps-0-name": "Tiếp nhận",
            "steps-0-role": "counter_officer",
            "steps-0-hours": "4",
            **{f"steps-1-{k}": v for k, v in step.items()},
            "steps-1-stage": "1",
            "steps-1-name": "Giải quyết",
            "steps-1-role": "specialist",
            "steps-1-hours": "20",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    process = Process.objects.get(offering=own)
    assert [s.name for s in process.steps.all()] == ["Tiếp nhận", "Giải quyết"]
    event = events("dossiers.process_defined")[-1]
    assert event.target_id == str(process.pk) and event.actor == admin
    old_steps, new_steps = event.payload["changes"]["steps"]
    assert old_steps is None and len(new_steps) == 2
