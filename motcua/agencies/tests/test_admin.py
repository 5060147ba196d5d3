"""Agency admin: the tree list, saving through save_agency, scoping of agency administrators.

Every denial also checks that nothing changed.
"""

from __future__ import annotations

from typing import Any

from motcua.accounts.models import User
from motcua.accounts.tests.fixtures import CHAU_DOC, LONG_XUYEN, login
from motcua.agencies.models import Agency
from motcua.audit.models import AuditEvent

URL = "/quan-tri/agencies/agency/"


def change_url(agency: Agency) -> str:
    return f"{URL}{agency.pk}/change/"


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def form_data(obj: Agency, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": obj.code,
        "name": obj.name,
        "short_name": obj.short_name,
        "kind": obj.kind,
        "level": obj.level,
        "parent": obj.parent_id or "",
        "admin_unit": obj.admin_unit_id or "",
        "address": obj.address,
        "phone": obj.phone,
        "email": obj.email,
        "valid_until": obj.valid_until.isoformat() if obj.valid_until else "",
    }
    if obj.receives_dossiers:
        data["receives_dossiers"] = "on"
    if obj.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Agency.objects.order_by("pk").values_list("pk", "code", "name", "parent_id", "path")
    )


def test_the_superuser_sees_the_indented_tree(persona: dict[str, User]) -> None:
    response = login("admin").get(URL, {"q": "Long Xuyên"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "UBND phường Long Xuyên" in body
    assert 'padding-left: 3.0em">└ Trung tâm Phục vụ hành chính công phường Long Xuyên' in body


def test_a_scoped_admin_lists_only_their_subtree(persona: dict[str, User]) -> None:
    response = login("longxuyen.quantri").get(URL)
    assert response.status_code == 200
    shown = {a.pk for a in response.context["cl"].result_list}
    assert shown == set(
        Agency.objects.filter(code__startswith=LONG_XUYEN).values_list("pk", flat=True)
    )


def test_a_scoped_admin_gets_404_outside_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    chau_doc = agency(CHAU_DOC)
    before, events = snapshot(), AuditEvent.objects.count()
    assert client.get(change_url(chau_doc)).status_code == 404
    response = client.post(change_url(chau_doc), form_data(chau_doc, name="Đã bị sửa"))
    assert response.status_code == 404
    assert client.get(f"{URL}{chau_doc.pk}/history/").status_code == 404
    assert client.post(f"{URL}{chau_doc.pk}/delete/", {"post": "yes"}).status_code in {403, 404}
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_a_scoped_admin_cannot_move_an_agency_out_of_their_subtree(
    persona: dict[str, User],
) -> None:
    client = login("longxuyen.quantri")
    office = agency(f"{LONG_XUYEN}.4")
    before = snapshot()
    response = client.post(change_url(office), form_data(office, parent=agency(CHAU_DOC).pk))
    assert response.status_code == 200  # the form again, with an error
    assert "parent" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_a_scoped_admin_cannot_move_the_root_of_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    root = agency(LONG_XUYEN)
    response = client.post(
        change_url(root),
        form_data(root, parent=agency(CHAU_DOC).pk, name="UBND phường Long Xuyên (mới)"),
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.parent == agency("H01")  # read-only field: ignored
    assert root.name == "UBND phường Long Xuyên (mới)"


def test_a_scoped_admin_cannot_create_outside_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    before = snapshot()
    new = Agency(
        code=f"{CHAU_DOC}.9", name="Tổ mới", kind="unit", level="commune", parent=agency(CHAU_DOC)
    )
    response = client.post(f"{URL}add/", form_data(new))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    root_attempt = Agency(code="H02", name="Tỉnh khác", kind="peoples_committee", level="province")
    response = client.post(f"{URL}add/", form_data(root_attempt, parent=""))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_a_scoped_admin_edits_and_creates_inside_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    office = agency(f"{LONG_XUYEN}.4")
    response = client.post(change_url(office), form_data(office, address="Số 9, phường Long Xuyên"))
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.address == "Số 9, phường Long Xuyên"
    event = AuditEvent.objects.filter(action="agency.changed").get()
    assert event.actor == persona["longxuyen.quantri"]
    new = Agency(
        code=f"{LONG_XUYEN}.4.1", name="Tổ một cửa", kind="unit", level="commune", parent=office
    )
    assert client.post(f"{URL}add/", form_data(new)).status_code == 302
    created = agency(f"{LONG_XUYEN}.4.1")
    assert created.path == f"{office.path}{created.pk}/"
    assert AuditEvent.objects.filter(action="agency.created", target_id=str(created.pk)).exists()


def test_the_superuser_moves_a_subtree_but_not_into_itself(persona: dict[str, User]) -> None:
    client = login("admin")
    committee = agency(LONG_XUYEN)
    before = snapshot()
    response = client.post(
        change_url(committee), form_data(committee, parent=agency(f"{LONG_XUYEN}.1").pk)
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert snapshot() == before
    response = client.post(change_url(committee), form_data(committee, parent=agency("H01.1").pk))
    assert response.status_code == 302
    center = agency(f"{LONG_XUYEN}.1")
    assert center.path == f"/{agency('H01').pk}/{agency('H01.1').pk}/{committee.pk}/{center.pk}/"


def test_staff_without_the_admin_site_are_sent_to_login(persona: dict[str, User]) -> None:
    response = login("longxuyen.chuyenvien").get(URL)
    assert response.status_code == 302
    assert "/quan-tri/login/" in response["Location"]


def test_units_are_read_only_except_for_the_superuser(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    response = client.get("/quan-tri/agencies/administrativeunit/", {"q": "Long Xuyên"})
    assert response.status_code == 200
    unit = agency(LONG_XUYEN).admin_unit
    assert unit is not None
    page = client.get(f"/quan-tri/agencies/administrativeunit/{unit.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert (
        client.post(
            f"/quan-tri/agencies/administrativeunit/{unit.pk}/change/", {"name": "X"}
        ).status_code
        == 403
    )
    unit.refresh_from_db()
    assert unit.name == "Phường Long Xuyên"


def test_autocomplete_offers_only_agencies_in_scope(persona: dict[str, User]) -> None:
    params = {"app_label": "agencies", "model_name": "agency", "field_name": "parent"}
    scoped = login("longxuyen.quantri").get("/quan-tri/autocomplete/", {**params, "term": "phường"})
    assert scoped.status_code == 200
    names = {r["text"] for r in scoped.json()["results"]}
    assert "UBND phường Long Xuyên" in names
    assert not any("Châu Đốc" in name for name in names)
    full = login("admin").get("/quan-tri/autocomplete/", {**params, "term": "Châu Đốc"})
    assert "UBND phường Châu Đốc" in {r["text"] for r in full.json()["results"]}
