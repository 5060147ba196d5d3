"""The rules package stays pure: importing it loads neither Django nor I/O libraries."""

from __future__ import annotations

import subprocess
import sys


def test_rules_import_without_django() -> None:
    code = (
        "import sys, motcua.dossiers.rules as r; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'}); "
        "print(','.join(bad))"
    )
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
