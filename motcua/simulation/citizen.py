"""A demo citizen who has filed a dossier online (``motcua demo``).

The account shares the demo password (demonstrations only). Its dossier is filed through
:func:`motcua.portal.applications.apply_online` with a real PDF (the declaration, drawn
with the forms' renderer, for each document the procedure requires online), so the
counter's "to receive" queue and the citizen's "my
dossiers" page have something to show. Running again adds nothing.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User
from motcua.accounts.services import Registration, register_citizen
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers.attachments import Scan
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantData, DocumentData
from motcua.portal.applications import online_offerings

#: A fictional personal identification number (the login) and name.
DEMO_CITIZEN_ID = "089199000001"
DEMO_CITIZEN_NAME = "Phan Thị Thu Trang"
DEMO_CITIZEN_PHONE = "0939 000 111"


def _declaration_pdf(procedure_name: str) -> bytes:
    from motcua.printing.pdf import render_markup

    return render_markup(
        '<document title="Tờ khai">'
        "<h1>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</h1>"
        "<h2>Độc lập - Tự do - Hạnh phúc</h2>"
        f"<p before='6'><b>TỜ KHAI</b> — {procedure_name}</p>"
        f"<p>Họ và tên người yêu cầu: {DEMO_CITIZEN_NAME}</p>"
        f"<p>Số định danh cá nhân: {DEMO_CITIZEN_ID}</p>"
        "<p>Tôi cam đoan những nội dung khai trên đây là đúng sự thật.</p>"
        "</document>"
    )


def _offering() -> ProcedureOffering | None:
    """An online procedure of an agency that demo staff serve (a ward first)."""
    staffed = User.objects.filter(kind=User.Kind.STAFF, agency__isnull=False).values("agency_id")
    return (
        online_offerings()
        .filter(agency_id__in=staffed, procedure__documents__isnull=False)
        .select_related("procedure", "agency")
        .order_by("agency__level", "procedure__code", "pk")
        .distinct()
        .first()
    )


def create_demo_citizen(password: str) -> tuple[User, Dossier | None]:
    """The demo citizen and their online dossier (made once)."""
    user = User.objects.filter(username=DEMO_CITIZEN_ID).first()
    if user is None:
        user = register_citizen(
            Registration(
                full_name=DEMO_CITIZEN_NAME,
                id_number=DEMO_CITIZEN_ID,
                phone=DEMO_CITIZEN_PHONE,
                email="",
                password=password,
            )
        )
    existing = Dossier.objects.filter(applicant_user=user).order_by("pk").first()
    if existing is not None:
        return user, existing
    offering = _offering()
    if offering is None:
        return user, None
    from motcua.portal.applications import apply_online

    # A file for every document the procedure requires online (the first one at least).
    listed = offering.procedure.online_checklist().documents
    wanted = [d.doc for d in listed if d.required] or [d.doc for d in listed[:1]]
    if not wanted:
        return user, None
    pdf = _declaration_pdf(offering.procedure.name)
    scans = [
        Scan(SimpleUploadedFile(f"giay-to-{i}.pdf", pdf, "application/pdf"), doc.pk)
        for i, doc in enumerate(wanted, start=1)
    ]
    dossier = apply_online(
        citizen=user,
        offering=offering,
        applicant=ApplicantData(
            name=DEMO_CITIZEN_NAME,
            id_number=DEMO_CITIZEN_ID,
            phone=DEMO_CITIZEN_PHONE,
            address=offering.agency.name,
        ),
        documents=[
            DocumentData(name=doc.name, copy_count=1, required_document_id=doc.pk) for doc in wanted
        ],
        scans=scans,
    )
    return user, dossier
