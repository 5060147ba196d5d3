"""The form template admin writes through ``printing.services``: each save or deletion
leaves an audit row (the body compared by its digest); officers without the permission
change nothing."""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEvent
from motcua.printing.models import FormTemplate
from motcua.printing.render import packaged_source
from motcua.printing.services import save_form_template
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


def test_changing_a_template_audits_the_old_and_new_values(province: Province) -> None:
    # The form strips the ends of the body as it strips any text field.
    row = save_form_template(code="01", body=packaged_source("01").strip(), name="Mẫu tỉnh")
    response = post_back(
        admin_client(superuser()), change_url(row), name="Mẫu 01 của tỉnh", is_active=None
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [_, event] = events("printing.template_saved")
    assert event.payload["changes"] == {
        "name": ["Mẫu tỉnh", "Mẫu 01 của tỉnh"],
        "is_active": [True, False],
    }


def test_deleting_templates_goes_through_the_service(province: Province) -> None:
    client = admin_client(superuser())
    first = save_form_template(code="01", body=packaged_source("01"))
    second = save_form_template(code="06", body=packaged_source("06"))
    assert delete(client, first).status_code == 302
    assert delete_selected(client, FormTemplate, second.pk).status_code == 302
    assert not FormTemplate.objects.exists()
    deleted = {e.target_id for e in events("printing.template_deleted")}
    assert deleted == {str(first.pk), str(second.pk)}


def test_an_agency_administrator_cannot_change_the_provinces_templates(
    province: Province,
) -> None:
    row = save_form_template(code="01", body=packaged_source("01"))
    client = admin_client(administrator(province.commune, "qt.longxuyen"))
    before, audit = rows(FormTemplate), AuditEvent.objects.count()
    assert client.get(change_url(row)).status_code == 403
    assert client.post(change_url(row), {"name": "Sửa", "is_active": ""}).status_code == 403
    assert delete(client, row).status_code == 403
    delete_selected(client, FormTemplate, row.pk)
    assert rows(FormTemplate) == before and AuditEvent.objects.count() == audit
