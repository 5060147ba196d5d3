"""Each agency acts for itself on an interconnected dossier: the deciding agency alone
apologises and sets the new date, and an agency assigns only its own staff to the step it
holds, even while another agency holds a parallel step. Refusals change nothing."""

from __future__ import annotations

import pytest

from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.dossiers import rules
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.process_services import StepSpec, define_process
from motcua.dossiers.queries import assignable_specialists
from motcua.dossiers.rules import Action, Actor
from motcua.dossiers.services import allowed_actions_for, perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, PASSWORD, Province

pytestmark = pytest.mark.django_db


def _parallel(p: Province) -> Dossier:
    """Police and social insurance at the same time, after the commune's step."""
    spec = Actor.SPECIALIST
    define_process(
        p.offering,
        name="Công an và BHXH song song",
        legal_working_days=3,
        steps=[
            StepSpec(0, "Tiếp nhận", p.one_stop, Actor.COUNTER_OFFICER, 2),
            StepSpec(1, "Đăng ký khai sinh", p.commune, spec, 6, unit=p.justice),
            StepSpec(2, "Đăng ký thường trú", p.police, spec, 6, unit=p.police_unit, branch=1),
            StepSpec(2, "Cấp thẻ BHYT", p.insurance, spec, 6, unit=p.insurance_unit, branch=2),
            StepSpec(3, "Ký, phê duyệt kết quả", p.commune, Actor.AGENCY_LEADER, 2),
        ],
    )
    d = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter)
    return perform_action(d, Action.FORWARD, acting_user=p.specialist)


def test_only_the_deciding_agency_apologises(province: Province) -> None:
    p = province
    police_leader = create_staff_user(
        "ld.congan", full_name="Lãnh Đạo Công An", agency=p.police,
        roles=[Role.AGENCY_LEADER], password=PASSWORD,
    )  # fmt: skip
    d = _parallel(p)
    assert Action.ISSUE_APOLOGY not in allowed_actions_for(police_leader, d)
    assert Action.ISSUE_APOLOGY in allowed_actions_for(p.leader, d)
    before = Dossier.objects.get(pk=d.pk)
    with pytest.raises((rules.ActionNotAllowed, DossierPermissionDenied)):
        perform_action(
            d, Action.ISSUE_APOLOGY, acting_user=police_leader, reason="chậm", new_due=None
        )
    after = Dossier.objects.get(pk=d.pk)
    assert (after.version, after.apologies) == (before.version, 0)


def test_an_agency_assigns_only_its_own_staff_to_its_step(province: Province) -> None:
    p = province
    police_head = create_staff_user(
        "tp.congan", full_name="Trưởng Phòng Công An", agency=p.police, unit=p.police_unit,
        roles=[Role.UNIT_HEAD], password=PASSWORD,
    )  # fmt: skip
    d = _parallel(p)
    active = {s.agency_id for s in d.steps.all() if s.state == "active"}
    assert active == {p.police.pk, p.insurance.pk}
    offered = assignable_specialists(police_head, d, list(d.steps.all()))
    assert [u.username for u in offered] == [p.police_officer.username]
    version = d.version
    with pytest.raises(InvalidDossierInput, match="cơ quan của bạn"):
        perform_action(d, Action.ASSIGN, acting_user=police_head, assignee=p.insurer)
    assert Dossier.objects.get(pk=d.pk).version == version
    d = perform_action(d, Action.ASSIGN, acting_user=police_head, assignee=p.police_officer)
    police_step = next(s for s in d.steps.all() if s.agency_id == p.police.pk)
    assert police_step.assignee_id == p.police_officer.pk


def test_the_control_slip_shows_both_branches_and_the_supplement(province: Province) -> None:
    import io
    import unicodedata

    from pypdf import PdfReader

    from motcua.dossiers.printouts import render_dossier_form

    p = province
    d = _parallel(p)
    d = perform_action(
        d, Action.REQUEST_SUPPLEMENT, acting_user=p.police_officer, reason="Thiếu sổ hộ khẩu"
    )
    d = perform_action(d, Action.SUPPLEMENT, acting_user=p.counter)
    d = perform_action(d, Action.FORWARD, acting_user=p.police_officer)
    d = perform_action(d, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer)
    pdf = PdfReader(io.BytesIO(render_dossier_form(d, "06")))
    raw = " ".join(page.extract_text() or "" for page in pdf.pages)
    slip = unicodedata.normalize("NFC", " ".join(raw.split()))
    # The commune's step handed over to both agencies, and both officers received it.
    assert "Công an tỉnh An Giang; Bảo hiểm xã hội tỉnh An Giang" in slip
    assert "Võ Quốc Bảo; Huỳnh Ngọc Anh" in slip
    assert "Chờ các bước song song hoàn thành" in slip  # police done before insurance
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ: Thiếu sổ hộ khẩu" in slip
    assert "Người nộp bổ sung hồ sơ" in slip
