"""``motcua demo --no-serve``: prepares everything, prints the logins, runs again safely."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.dossiers.models import Dossier, Process
from motcua.dossiers.rules import Status, verifier_matches
from motcua.simulation.citizen import DEMO_CITIZEN_ID
from motcua.simulation.staff import DEMO_PASSWORD

#: A row of the printed dossier table: code, last 4 digits of the phone, status, link.
DOSSIER_ROW = re.compile(
    r"^(H01\.[0-9.]+-\d{6}-\d{4,})\s+(\d{4})\s+(.+?)\s+"
    r"(http://127\.0\.0\.1:\d+/tra-cuu/\?code=\S+)$",
    re.MULTILINE,
)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    return out.getvalue()


def totals() -> tuple[int, int, int, int, int]:
    return (
        AdministrativeUnit.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Process.objects.count(),
        Dossier.objects.count(),
    )


@pytest.mark.django_db
def test_demo_prepares_the_province_and_prints_the_logins(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    output = run_demo()
    assert AdministrativeUnit.objects.filter(generation="2025", parent__code="91").count() == 102
    assert Agency.objects.filter(code="H01.30307.1").exists()
    assert User.objects.filter(username="longxuyen.tiepnhan").exists()
    assert DEMO_PASSWORD in output
    for text in (
        "admin",
        "quantri.angiang",
        "stp.chuyenvien",
        "Chuyên viên xử lý",
        "UBND phường Châu Đốc",
        "http://127.0.0.1:8123/quan-tri/",
        "http://127.0.0.1:8123/api/v1/docs",
        "bhxh.chuyenvien",
        DEMO_CITIZEN_ID,
    ):
        assert text in output
    # The generated history, and the demo citizen's dossier filed online with a file for
    # each document its procedure requires online.
    assert Dossier.objects.count() == 301
    online = Dossier.objects.get(applicant_user__username=DEMO_CITIZEN_ID)
    assert online.status == Status.NEW_ONLINE and online.code in output
    files = list(online.attachments.all())
    assert files and all(f.file.read().startswith(b"%PDF-") for f in files)
    required = {d.doc.pk for d in online.procedure.online_checklist().documents if d.required}
    assert required <= {f.document.required_document_id for f in files if f.document}
    rows = DOSSIER_ROW.findall(output)
    assert len(rows) == 5
    for code, verifier, _status, url in rows:
        dossier = Dossier.objects.get(code=code)
        assert verifier_matches(verifier, dossier.applicant_phone, None)
        assert url == f"http://127.0.0.1:8123/tra-cuu/?code={code}"
    before = totals()
    again = run_demo()
    assert totals() == before
    assert "Tổng cộng: tạo mới 0, cập nhật 0" in again
    assert "tạo mới 0, đã có" in again


def test_demo_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MOTCUA_DATA_DIR"}}
    env["MOTCUA_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "motcua.cli", "demo", "--no-serve"]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "motcua.sqlite3").exists()
    assert "longxuyen.quantri" in done.stdout
    assert elapsed < 60, f"demo took {elapsed:.1f} s"  # about 15 s on an idle machine
    rows = DOSSIER_ROW.findall(done.stdout)
    assert len(rows) == 5 and len({status for _c, _v, status, _u in rows}) == 5
    database = sqlite3.connect(tmp_path / "motcua.sqlite3")
    try:
        for code, verifier, _status, _url in rows:
            (phone,) = database.execute(
                "SELECT applicant_phone FROM dossiers_dossier WHERE code = ?", (code,)
            ).fetchone()
            assert phone.endswith(verifier)
        count = "SELECT COUNT(*) FROM dossiers_dossier"
        assert database.execute(count).fetchone() == (301,)
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
        assert again.returncode == 0, again.stderr
        assert "tạo mới 0, đã có" in again.stdout
        assert "đã có hồ sơ: giữ nguyên" in again.stdout
        assert DOSSIER_ROW.findall(again.stdout) == rows
        assert database.execute(count).fetchone() == (301,)
    finally:
        database.close()
