"""The rules package stays pure: importing it, and each of its modules, loads neither
Django nor I/O libraries."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import motcua.dossiers.rules as rules_package

MODULES = sorted(
    f"{rules_package.__name__}.{m.name}" for m in pkgutil.iter_modules(rules_package.__path__)
)


def _loaded_by(module: str) -> str:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'}); "
        "print(','.join(bad))"
    )
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_rules_import_without_django() -> None:
    assert _loaded_by(rules_package.__name__) == ""


@pytest.mark.parametrize("module", MODULES)
def test_each_rules_module_imports_without_django(module: str) -> None:
    assert _loaded_by(module) == ""


def test_the_progression_is_among_the_rules_checked() -> None:
    assert "motcua.dossiers.rules.progress" in MODULES
