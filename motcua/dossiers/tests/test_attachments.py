from __future__ import annotations

import io

import pytest

from motcua.dossiers import attachment_services, attachments
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Attachment
from motcua.dossiers.services import receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def dossier(province: Province, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
    )


@pytest.mark.django_db
def test_it_stores_a_pdf_under_its_hash(province: Province, dossier) -> None:  # type: ignore[no-untyped-def]
    saved = attachment_services.add_attachment(
        dossier,
        io.BytesIO(PDF),
        original_name="../../giay-chung-sinh.pdf",
        acting_user=province.counter,
        document=dossier.documents.first(),
    )
    assert saved.content_type == "application/pdf"
    assert saved.original_name == "giay-chung-sinh.pdf"
    assert saved.file.name.endswith(saved.sha256 + ".pdf")
    assert saved.file.read() == PDF


@pytest.mark.django_db
def test_it_sniffs_the_content_not_the_name(province: Province, dossier) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidDossierInput, match="PDF, JPEG hoặc PNG"):
        attachment_services.add_attachment(
            dossier,
            io.BytesIO(b"MZ\x90\x00 not a pdf"),
            original_name="scan.pdf",
            acting_user=province.counter,
        )
    saved = attachment_services.add_attachment(
        dossier, io.BytesIO(PNG), original_name="anh.pdf", acting_user=province.counter
    )
    assert saved.content_type == "image/png"
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_files_too_large(province: Province, dossier, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 100)
    with pytest.raises(InvalidDossierInput, match="quá lớn"):
        attachment_services.add_attachment(
            dossier,
            io.BytesIO(PDF + b"x" * 200),
            original_name="big.pdf",
            acting_user=province.counter,
        )
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_an_outsider_cannot_attach(province: Province, dossier) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DossierPermissionDenied):
        attachment_services.add_attachment(
            dossier, io.BytesIO(PDF), original_name="x.pdf", acting_user=province.outsider
        )
    assert not Attachment.objects.exists()
