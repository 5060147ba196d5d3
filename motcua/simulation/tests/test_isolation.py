"""The domain does not depend on the simulation: no module outside ``motcua.simulation``
(tests and the test personas aside) imports it, so the demo data and the generated
histories can be left out of a deployment without breaking anything."""

from __future__ import annotations

import ast
from pathlib import Path

import motcua

PACKAGE = Path(motcua.__file__).parent
SIMULATION = "motcua.simulation"


def _is_simulation(name: str | None) -> bool:
    return name is not None and (name == SIMULATION or name.startswith(SIMULATION + "."))


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Names of the modules an import node (or ``import_module("…")`` call) loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against this module's package
            package = module.split(".")
            package = package if is_package else package[:-1]
            base = ".".join(package[: len(package) - node.level + 1])
            target = f"{base}.{node.module}" if node.module else base
        else:
            target = node.module or ""
        return [target, *(f"{target}.{alias.name}" for alias in node.names)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def domain_imports_of_simulation(root: Path) -> list[str]:
    """``path:line imported`` for every import of the simulation app outside it."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if relative[0] in {"simulation", "testing"} or "tests" in relative:
            continue
        module = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = _imported(node, module, path.name == "__init__.py")
            if any(_is_simulation(name) for name in names):
                found.append(f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)} {names[0]}")
    return found


def test_no_domain_module_imports_the_simulation() -> None:
    assert domain_imports_of_simulation(PACKAGE) == []


def test_the_scan_sees_every_way_of_importing_it(tmp_path: Path) -> None:
    root = tmp_path / "motcua"
    (root / "dossiers" / "tests").mkdir(parents=True)
    (root / "simulation").mkdir()
    (root / "dossiers" / "services.py").write_text(
        "import motcua.simulation.bulk\n"
        "from motcua.simulation import generator\n"
        "from ..simulation.staff import DEMO_PASSWORD\n"
        "import importlib\n"
        "importlib.import_module('motcua.simulation.province')\n"
        "from motcua.simulations_elsewhere import x\n",
        encoding="utf-8",
    )
    (root / "dossiers" / "tests" / "test_x.py").write_text(
        "from motcua.simulation.bulk import generate_bulk\n", encoding="utf-8"
    )
    (root / "simulation" / "bulk.py").write_text(
        "from motcua.simulation.staff import DEMO_PASSWORD\n", encoding="utf-8"
    )
    assert [line.split(" ")[0] for line in domain_imports_of_simulation(root)] == [
        "dossiers/services.py:1",
        "dossiers/services.py:2",
        "dossiers/services.py:3",
        "dossiers/services.py:5",
    ]
