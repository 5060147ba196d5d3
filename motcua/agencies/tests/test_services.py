"""Writes to the organisation tree: paths kept right, cycles refused, audit recorded."""

from __future__ import annotations

import pytest

from motcua.agencies.models import Agency
from motcua.agencies.rules import InvalidAgencyCode
from motcua.agencies.services import AgencySpec, AgencyTreeError, ensure_agencies, save_agency
from motcua.agencies.tests.fixtures import make_agency
from motcua.audit.models import AuditEvent


def paths() -> dict[str, str]:
    return dict(Agency.objects.values_list("code", "path"))


def expected_path(agency: Agency) -> str:
    chain = []
    node: Agency | None = agency
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return "/" + "".join(f"{pk}/" for pk in reversed(chain))


def test_it_sets_the_path_of_new_agencies(small_tree: dict[str, Agency]) -> None:
    root, a, c = small_tree["root"], small_tree["a"], small_tree["c"]
    assert root.path == f"/{root.pk}/"
    assert a.path == f"/{root.pk}/{a.pk}/"
    for agency in Agency.objects.all():
        assert agency.path == expected_path(agency)
    assert c.depth == 3
    assert c.ancestor_ids() == [root.pk, a.pk, small_tree["b"].pk, c.pk]


def test_it_records_an_audit_event_per_save(small_tree: dict[str, Agency]) -> None:
    events = AuditEvent.objects.filter(target_type="agencies.agency")
    assert events.count() == 5
    event = events.get(target_id=str(small_tree["b"].pk))
    assert event.action == "agency.saved"
    assert event.payload["code"] == "H01.1.1"
    assert event.payload["parent_id"] == small_tree["a"].pk
    # A creation's "old" values are all None.
    assert event.payload["changes"]["code"] == [None, "H01.1.1"]
    assert event.payload["changes"]["parent"] == [None, small_tree["a"].pk]


def test_moving_an_agency_moves_its_subtree(small_tree: dict[str, Agency]) -> None:
    root, a, b, c, d = (small_tree[k] for k in ["root", "a", "b", "c", "d"])
    b.parent = d
    save_agency(b, action="agency.changed")
    assert Agency.objects.get(pk=b.pk).path == f"/{root.pk}/{d.pk}/{b.pk}/"
    assert Agency.objects.get(pk=c.pk).path == f"/{root.pk}/{d.pk}/{b.pk}/{c.pk}/"
    assert Agency.objects.get(pk=a.pk).path == f"/{root.pk}/{a.pk}/"
    for agency in Agency.objects.all():
        assert agency.path == expected_path(agency)
    event = AuditEvent.objects.filter(action="agency.changed").get()
    assert event.payload["old_parent_id"] == a.pk


def test_making_an_agency_a_root_moves_its_subtree(small_tree: dict[str, Agency]) -> None:
    b, c = small_tree["b"], small_tree["c"]
    b.parent = None
    save_agency(b)
    assert Agency.objects.get(pk=c.pk).path == f"/{b.pk}/{c.pk}/"


@pytest.mark.parametrize("new_parent", ["a", "b", "c"])
def test_it_refuses_a_cycle_and_changes_nothing(
    small_tree: dict[str, Agency], new_parent: str
) -> None:
    before = paths()
    events = AuditEvent.objects.count()
    a = Agency.objects.get(pk=small_tree["a"].pk)
    a.parent = small_tree[new_parent]
    a.name = "Đổi tên"
    with pytest.raises(AgencyTreeError):
        save_agency(a)
    assert paths() == before
    assert Agency.objects.get(pk=a.pk).name == "Cơ quan H01.1"
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_malformed_code(small_tree: dict[str, Agency]) -> None:
    with pytest.raises(InvalidAgencyCode):
        make_agency("H01.x", small_tree["root"])
    assert not Agency.objects.filter(code="H01.x").exists()


def test_it_refuses_a_parent_that_does_not_exist(db: None) -> None:
    with pytest.raises(AgencyTreeError):
        save_agency(Agency(code="H01.9", name="X", kind="unit", level="province", parent_id=999999))
    assert not Agency.objects.exists()


def spec(code: str, parent: str | None, **kw: object) -> AgencySpec:
    return AgencySpec(code, f"Cơ quan {code}", "unit", "commune", parent, **kw)  # type: ignore[arg-type]


def test_ensure_agencies_builds_a_tree_in_any_order(small_tree: dict[str, Agency]) -> None:
    specs = [spec("H01.3.1.1", "H01.3.1"), spec("H01.3", "H01"), spec("H01.3.1", "H01.3")]
    result = ensure_agencies(specs)
    assert sorted(result.created) == ["H01.3", "H01.3.1", "H01.3.1.1"]
    assert result.existing == 0
    for agency in Agency.objects.all():
        assert agency.path == expected_path(agency)
    created = AuditEvent.objects.filter(action="agency.created")
    assert created.count() == 3


def test_ensure_agencies_leaves_existing_agencies_alone(small_tree: dict[str, Agency]) -> None:
    a = small_tree["a"]
    result = ensure_agencies([spec("H01.1", "H01", address="khác"), spec("H01.1.9", "H01.1")])
    assert result.created == ["H01.1.9"]
    assert result.existing == 1
    a.refresh_from_db()
    assert (a.name, a.address, a.kind) == ("Cơ quan H01.1", "", "department")


def test_ensure_agencies_refuses_a_missing_parent_and_creates_nothing(db: None) -> None:
    with pytest.raises(AgencyTreeError, match="H09"):
        ensure_agencies([spec("H01", None), spec("H09.1", "H09")])
    assert not Agency.objects.exists()


def test_ensure_agencies_refuses_bad_codes_and_duplicates(db: None) -> None:
    with pytest.raises(InvalidAgencyCode):
        ensure_agencies([spec("H01", None), spec("H01-2", "H01")])
    with pytest.raises(AgencyTreeError):
        ensure_agencies([spec("H01", None), spec("H01", None)])
    assert not Agency.objects.exists()
