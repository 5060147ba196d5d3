"""Driving load with wrk (a C load generator, Debian package ``wrk``).

A scenario is a list of prepared requests (method, path, bearer token, JSON body) written
to a file; a Lua script loads it in each wrk thread, pre-formats every request, sends
them in order (wrapping around) and reports its figures as one JSON line from wrk's
``done`` hook: requests, duration, errors (connect/read/write/timeout, and answers
outside 2xx/3xx) and the latency percentiles in microseconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "wrk is needed for the load scenarios: apt-get install wrk (Debian/Ubuntu)"


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int  # socket errors and timeouts
    bad_status: int  # answers outside 2xx/3xx
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


_SCRIPT = r"""
local reqs = {}
local n = 0
local i = 0

local function split(line)
  local parts = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do parts[#parts + 1] = field end
  return parts
end

init = function(args)
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = {}
    if f[3] ~= "" then headers["Authorization"] = "Bearer " .. f[3] end
    local body = nil
    if f[4] ~= "" then
      body = f[4]
      headers["Content-Type"] = "application/json"
    end
    n = n + 1
    reqs[n] = wrk.format(f[1], f[2], headers, body)
  end
end

request = function()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _data(requests: list[Request]) -> str:
    """One request a line: method, path, bearer token, JSON body (tab-separated)."""
    lines = []
    for r in requests:
        token = r.headers.get("Authorization", "").removeprefix("Bearer ")
        fields = [r.method, r.path, token, r.body]
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"tab or newline in a request: {r!r}")
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def run_wrk(
    base_url: str,
    requests: list[Request],
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    timeout_s: int = 10,
) -> WrkResult:
    """Run wrk against ``base_url`` with the given requests for ``seconds``.

    With several threads each walks the whole list from the start: give one thread for
    lists whose requests must not repeat (intake, actions).
    """
    exe = wrk_path()
    if exe is None:
        raise SystemExit(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="motcua-wrk-") as tmp:
        script = Path(tmp) / "scenario.lua"
        script.write_text(_SCRIPT, encoding="utf-8")
        data = Path(tmp) / "requests.tsv"
        data.write_text(_data(requests), encoding="utf-8")
        cmd = [
            exe,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={timeout_s}s",
            "-s",
            str(script),
            base_url,
            "--",
            str(data),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ})
    for line in out.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data = json.loads(line[len("WRK_JSON ") :])
            errors = sum(data[k] for k in ("connect", "read", "write", "timeout"))
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                errors=errors,
                bad_status=data["status"],
                p50_ms=data["p50"] / 1000,
                p95_ms=data["p95"] / 1000,
                p99_ms=data["p99"] / 1000,
                max_ms=data["max"] / 1000,
            )
    raise RuntimeError(f"wrk gave no figures:\n{out.stdout}\n{out.stderr}")
