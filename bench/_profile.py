"""Where the time goes: py-spy samples of the gunicorn workers, EXPLAIN of the queries."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

INSTALL_HINT = "py-spy is needed for the server profile: pip install py-spy"


def py_spy_path() -> str | None:
    candidate = Path(sys.executable).with_name("py-spy")
    if candidate.exists():
        return str(candidate)
    return shutil.which("py-spy")


def _frame_name(frame: str) -> str:
    """``function (path/to/module.py:123)`` -> ``module.function``."""
    name, _, where = frame.partition(" (")
    path = where.split(":", 1)[0]
    for marker in ("site-packages/", "/motcua/", "lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/motcua/":
                path = "motcua/" + path
            break
    module = path.removesuffix(".py").replace("/", ".")
    return f"{module}.{name}"


def profile_during(
    master_pid: int, seconds: float, load: Callable[[], object], rate: int = 200
) -> list[str] | None:
    """Sample every gunicorn worker (py-spy ``--subprocesses``) while ``load()`` runs;
    return the collapsed stacks (``frame;frame;… count`` lines), or None without py-spy."""
    exe = py_spy_path()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="motcua-pyspy-") as tmp:
        out = Path(tmp) / "stacks.txt"
        cmd = [
            exe,
            "record",
            "--pid",
            str(master_pid),
            "--subprocesses",
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(out),
        ]
        recorder = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        worker = threading.Thread(target=load)
        worker.start()
        worker.join()
        _, err = recorder.communicate(timeout=seconds + 60)
        if not out.exists():
            print(f"  (py-spy gave no profile: {err.decode(errors='replace').strip()[:300]})")
            return None
        return out.read_text(encoding="utf-8", errors="replace").splitlines()


def summarise(stacks: list[str], top: int = 12) -> str:
    """Top functions by own samples and by samples anywhere on the stack (ours first)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in stacks:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if " (" in f]
        if not frames:
            continue
        total += count
        names = [_frame_name(f) for f in frames]
        own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples in the workers"]
    lines.append("  own time (leaf functions):")
    for name, n in own.most_common(top):
        lines.append(f"    {100 * n / total:5.1f}%  {name}")
    lines.append("  time under (our code, excluding the request plumbing):")
    ours = [
        (name, n)
        for name, n in inclusive.most_common()
        if name.startswith("motcua.") and not name.startswith("motcua.config")
    ]
    for name, n in ours[:top]:
        lines.append(f"    {100 * n / total:5.1f}%  {name}")
    lines.append("  time under (libraries):")
    for prefix in (
        "django.db.backends",
        "psycopg",
        "django.db.models.sql.compiler",
        "ninja",
        "pydantic",
        "django.middleware",
        "django.contrib.sessions",
        "django_otp",
        "gunicorn",
    ):
        n = max((v for k, v in inclusive.items() if k.startswith(prefix)), default=0)
        if n:
            lines.append(f"    {100 * n / total:5.1f}%  {prefix}")
    return "\n".join(lines)
