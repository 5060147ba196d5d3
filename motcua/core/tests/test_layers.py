"""The layers hold (docs/architecture.md, "Where a change goes"), checked on the source.

- Every write to the database is in a service module (or a store module a service calls,
  a migration, a test, the simulation): a scan of ``motcua/**/*.py`` for the ORM's and
  the driver's writing calls.
- ``motcua.core`` imports no other app of motcua: every app may use core.
- Signal receivers are connected in ``AppConfig.ready``, not when a module is imported.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "motcua"

#: The calls that write (or may write) rows: the ORM's, and raw SQL.
WRITE_METHODS = {
    "save",
    "create",
    "get_or_create",
    "update_or_create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
}
RAW_SQL_METHODS = {"raw", "cursor", "execute", "executemany"}
#: Many-to-many writes (``user.groups.add(...)``): counted when called on an attribute,
#: as related managers are reached; on a plain name they are a local set's or list's.
M2M_METHODS = {"add", "set", "remove", "clear"}
#: Django's admin writes itself in these; calling them on ``super()`` hands it the write.
ADMIN_WRITES = {"save_model", "save_related", "save_formset", "delete_model", "delete_queryset"}

#: Store modules: the fixed statements the services run (ADR 0006), called only by them.
STORE_MODULES = {
    "motcua/core/rows.py": "the fixed statements of the hot paths (ADR 0006)",
    "motcua/dossiers/rows.py": "the action path's statements, run by dossiers.services",
    "motcua/dossiers/store.py": "the dossier rows' statements, run by dossiers.services",
    "motcua/portal/ratelimit.py": (
        "the failed-lookup counter's upsert, run by portal.services: a short-lived "
        "counter, not a record of the province, so no audit row by design"
    ),
}

#: Sample data that stays beside the module it serves (the simulation app itself,
#: ``motcua/simulation/``, is allowed as a whole).
SAMPLES = {
    "motcua/printing/samples.py": "sample data for previews (writes nothing today)",
}

#: Calls outside those places that are not writes, each with its reason, by
#: (file, enclosing function, method).
ALLOWED_CALLS = {
    ("motcua/core/db.py", "ping", "cursor"): "the health check's SELECT 1",
    ("motcua/core/db.py", "ping", "execute"): "the health check's SELECT 1",
    ("motcua/core/db.py", "custom_plans", "cursor"): "a session setting, no rows",
    ("motcua/core/db.py", "custom_plans", "execute"): "a session setting, no rows",
    ("motcua/catalog/queries.py", "_ranked_ids", "cursor"): "read-only ranked search (ADR 0003)",
    ("motcua/catalog/queries.py", "_ranked_ids", "execute"): "read-only ranked search (ADR 0003)",
    ("motcua/portal/queries.py", "_read", "cursor"): "read-only public lookup, one statement",
    ("motcua/portal/queries.py", "_read", "execute"): "read-only public lookup, one statement",
    ("motcua/printing/pdf.py", "_qr", "save"): "segno writes a QR code image to a buffer",
}

#: Types whose ``update`` (or ``delete``…) is not the ORM's, when the receiver is known to
#: be one: a name bound to a display or a call of these, or annotated with them.
PLAIN_CONTAINERS = {"dict", "set", "Counter", "defaultdict", "OrderedDict", "frozenset"}


def _is_allowed_file(path: str) -> str | None:
    """Why ``path`` may write, or None."""
    parts = path.split("/")
    name = parts[-1]
    if name == "services.py" or name.endswith("_services.py") or "services" in parts[:-1]:
        return "a service module"
    if "migrations" in parts:
        return "a migration"
    if "tests" in parts or path.startswith("motcua/testing/"):
        return "test code"
    if path.startswith("motcua/simulation/"):
        return "the simulation"
    if "rules" in parts or path.endswith("/rules.py"):
        # Pure: no Django, no I/O (test_rules_purity); ``.update`` there is on plain data.
        return "a pure rules module"
    return STORE_MODULES.get(path) or SAMPLES.get(path)


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for file in sorted(PACKAGE.rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        yield path, ast.parse(file.read_text(encoding="utf-8"), filename=path)


def _container_annotation(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name | ast.Attribute) and (
        (node.id if isinstance(node, ast.Name) else node.attr) in PLAIN_CONTAINERS
    )


def _container_value(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Dict | ast.Set | ast.DictComp | ast.SetComp):
        return True
    return isinstance(node, ast.Call) and _container_annotation(node.func)


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    function: str
    method: str
    code: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.code} — a write outside a service; move it "
            "into the app's services.py (inside transaction.atomic, with record_event), "
            "or into a store module a service calls"
        )


class WriteFinder(ast.NodeVisitor):
    """Calls of the writing methods, with the function they are in; knows which local
    names hold plain containers (their ``update`` is not a write)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Write] = []
        self._functions: list[str] = []
        self._containers: list[set[str]] = [set()]
        #: ``self.<name>`` attributes bound to plain containers anywhere in the module.
        self._attributes: set[str] = set()

    def visit_Module(self, node: ast.Module) -> None:
        for child in ast.walk(node):
            targets: list[ast.expr] = []
            if isinstance(child, ast.AnnAssign) and (
                _container_annotation(child.annotation) or _container_value(child.value)
            ):
                targets = [child.target]
            elif isinstance(child, ast.Assign) and _container_value(child.value):
                targets = child.targets
            self._attributes |= {
                ast.unparse(t)
                for t in targets
                if isinstance(t, ast.Attribute) and ast.unparse(t.value) == "self"
            }
        self.generic_visit(node)

    def _scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        names = {
            arg.arg
            for arg in [*node.args.args, *node.args.kwonlyargs]
            if _container_annotation(arg.annotation)
        }
        for child in ast.walk(node):
            if isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                if _container_annotation(child.annotation) or _container_value(child.value):
                    names.add(child.target.id)
            elif isinstance(child, ast.Assign) and _container_value(child.value):
                names.update(t.id for t in child.targets if isinstance(t, ast.Name))
        self._functions.append(node.name)
        self._containers.append(names)
        self.generic_visit(node)
        self._functions.pop()
        self._containers.pop()

    visit_FunctionDef = _scope
    visit_AsyncFunctionDef = _scope

    def _not_a_write(self, call: ast.Call, method: str) -> bool:
        receiver = call.func.value  # type: ignore[attr-defined]
        function = self._functions[-1] if self._functions else ""
        # A model's own save()/delete() calling Django's.
        if (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
            and method == function
            and method in {"save", "delete"}
        ):
            return True
        # A form building the row without writing it.
        if method == "save" and any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in call.keywords
        ):
            return True
        # dict.update, set.update, … on a name or attribute known to hold one.
        if ast.unparse(receiver) in self._attributes:
            return True
        return isinstance(receiver, ast.Name) and receiver.id in self._containers[-1]

    def _writes(self, node: ast.Call, method: str) -> bool:
        receiver = node.func.value  # type: ignore[attr-defined]
        if method in ADMIN_WRITES:
            return isinstance(receiver, ast.Call) and ast.unparse(receiver.func) == "super"
        if method in M2M_METHODS:
            return isinstance(receiver, ast.Attribute)
        return method in WRITE_METHODS | RAW_SQL_METHODS

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if self._writes(node, method) and not self._not_a_write(node, method):
                function = self._functions[-1] if self._functions else "<module>"
                self.found.append(
                    Write(self.path, node.lineno, function, method, ast.unparse(node)[:90])
                )
        self.generic_visit(node)


def writes_outside_services() -> list[Write]:
    found = []
    for path, tree in _sources():
        if _is_allowed_file(path):
            continue
        finder = WriteFinder(path)
        finder.visit(tree)
        found += [w for w in finder.found if (w.path, w.function, w.method) not in ALLOWED_CALLS]
    return found


def test_every_write_is_in_a_service_module() -> None:
    found = writes_outside_services()
    assert not found, "\n".join(str(write) for write in found)


def test_the_scan_sees_a_write_and_tells_where_it_belongs(tmp_path: Path) -> None:
    source = """
def approve(dossier, counts: dict[str, int]):
    counts.update(done=1)          # a dict: not a write
    seen = set()
    seen.update([dossier.pk])      # a set: not a write
    Dossier.objects.filter(pk=dossier.pk).update(status="done")
    dossier.save()
    seen.add(dossier.pk)           # a set again
    dossier.applicant_user.groups.add(1)

class DossierAdmin:
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
"""
    finder = WriteFinder("motcua/backoffice/views.py")
    finder.visit(ast.parse(source))
    found = [(w.line, w.method) for w in finder.found]
    assert found == [(6, "update"), (7, "save"), (9, "add"), (13, "delete_model")]
    assert str(finder.found[1]).startswith("motcua/backoffice/views.py:7: dossier.save()")
    assert "services.py" in str(finder.found[1])


def test_every_allowed_exception_is_still_needed() -> None:
    """An entry of ``ALLOWED_CALLS`` that matches no call any more is removed."""
    seen = set()
    for path, tree in _sources():
        finder = WriteFinder(path)
        finder.visit(tree)
        seen |= {(w.path, w.function, w.method) for w in finder.found}
    assert set(ALLOWED_CALLS) <= seen, set(ALLOWED_CALLS) - seen


def test_every_admin_page_that_writes_hands_the_write_to_a_service(rf: Any) -> None:
    """Django's ``ModelAdmin`` saves and deletes by itself unless these four are replaced
    (``core.admin_writes.ServiceWritesAdmin`` does): each admin of a motcua model that lets
    even a superuser add, change or delete replaces them."""
    from django.contrib import admin

    from motcua.accounts.models import User

    request = rf.get("/quan-tri/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    defaults = admin.ModelAdmin
    found = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("motcua."):
            continue
        kind = type(model_admin)
        needed = []
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            needed += ["save_model", "save_related"]
        if model_admin.has_delete_permission(request):
            needed += ["delete_model", "delete_queryset"]
        found += [
            f"{kind.__module__}.{kind.__name__}.{name} is Django's own (it writes itself)"
            for name in needed
            if getattr(kind, name) is getattr(defaults, name)
        ]
    assert not found, "\n".join(found)


# --- core imports no other app ----------------------------------------------------------

#: None left: the demo command moved to ``motcua/simulation/``.
CORE_IMPORTS_UNTIL_MOVED: set[str] = set()


def _imported_modules(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # from motcua import dossiers
                yield node.lineno, f"{node.module}.{alias.name}"


def test_core_imports_no_other_app() -> None:
    found = []
    for path, tree in _sources():
        if not path.startswith("motcua/core/") or "/tests/" in path:
            continue
        if path in CORE_IMPORTS_UNTIL_MOVED:
            continue
        for line, module in _imported_modules(tree):
            parts = module.split(".")
            if parts[0] == "motcua" and len(parts) > 1 and parts[1] != "core":
                found.append(f"{path}:{line}: imports {module}")
    assert not found, "core is shared by every app and imports none of them:\n" + "\n".join(found)


# --- signals ----------------------------------------------------------------------------


def test_no_receiver_is_connected_when_a_module_is_imported() -> None:
    """``signal.connect(...)`` only inside functions (called by ``AppConfig.ready``), and no
    ``@receiver`` decorator (it connects on import)."""
    found = []
    for path, tree in _sources():
        if "/tests/" in path or path.startswith("motcua/testing/"):
            continue
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        inside = {id(c) for f in functions for c in ast.walk(f) if c is not f}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and id(node) not in inside
            ):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)[:80]}")
        for function in functions:
            for decorator in function.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Name) and target.id == "receiver":
                    found.append(f"{path}:{function.lineno}: @receiver on {function.name}")
    assert not found, "connect receivers in AppConfig.ready:\n" + "\n".join(found)


def test_the_apps_connect_their_receivers_when_django_starts() -> None:
    """In a fresh process, once Django is set up (nothing else imported), the kept
    offerings and checked tokens are dropped on the changes that concern them."""
    script = """
import django
django.setup()
from django.db.models.signals import post_delete, post_save
from motcua.accounts.models import RoleAssignment
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers.models import ProcessStep
for signal in (post_save, post_delete):
    for model in (ProcedureOffering, ProcessStep, RoleAssignment):
        assert signal.has_listeners(model), (signal, model)
print("connected")
"""
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.config.settings"},
        check=False,
    )
    assert result.stdout.strip() == "connected", result.stderr[-2000:]
