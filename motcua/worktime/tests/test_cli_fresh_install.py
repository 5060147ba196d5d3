"""``motcua due`` right after installing, before ``motcua migrate``: the national calendar
answers (no database needed); what needs the database says so in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def motcua(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MOTCUA_DATA_DIR"}}
    env["MOTCUA_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "motcua.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_due_on_a_fresh_install_uses_the_national_calendar(tmp_path: Path) -> None:
    done = motcua(tmp_path, "due", "2025-01-24T16:30", "3d")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2025-02-05T17:00:00+07:00"  # after Tết 2025, as migrated
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "Cơ sở dữ liệu chưa được khởi tạo (chạy «motcua migrate»): "
        "tính theo lịch làm việc quốc gia."
    ]


def test_due_for_an_agency_on_a_fresh_install_says_what_to_do(tmp_path: Path) -> None:
    done = motcua(tmp_path, "due", "2025-01-24T16:30", "3d", "--agency", "H01.30307")
    assert done.returncode == 1
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "chưa được khởi tạo" in done.stderr and "motcua migrate" in done.stderr
