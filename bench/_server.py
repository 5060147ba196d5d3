"""The application served as in production: gunicorn, persistent database connections."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn_path() -> str:
    candidate = Path(sys.executable).with_name("gunicorn")
    if candidate.exists():
        return str(candidate)
    raise SystemExit("gunicorn is needed: pip install gunicorn (a dependency of motcua)")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    workers: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(x) for x in out.stdout.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at ``url`` (``redis://host:port/db``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_gunicorn(
    database_url: str, workers: int, log: Path, extra_env: dict[str, str] | None = None
) -> Server:
    """Start gunicorn on a free port of 127.0.0.1 and wait until /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "MOTCUA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    cmd = [
        gunicorn_path(),
        "motcua.config.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    handle = log.open("ab")
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    server = Server(process, port, workers, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start; see {log}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200 and len(server.worker_pids()) >= workers:
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def warm_up(server: Server, paths: list[tuple[str, dict[str, str]]], rounds: int = 3) -> None:
    """A few requests per worker so that imports, calendars and connections are ready."""
    for _ in range(rounds * server.workers):
        for path, headers in paths:
            request = urllib.request.Request(f"{server.base_url}{path}", headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310
                    r.read()
            except OSError:
                pass
