"""The benchmark's load: gunicorn serving the portal under ``bench.settings`` as in
production, wrk loading each page from a second process, and the full CSV export
streamed with the worker's peak memory read from /proc. See harness.py for the run.
"""

import http.client
import json
import os
import re
import subprocess  # noqa: S404  (fixed argument lists, loopback only)
import time
from pathlib import Path

from bench.harness import LUA, POST_DAYS_BACK, ROOT, Measure, Page

# --- gunicorn and wrk ---------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py, as in production, on a free loopback port."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DEBUG": "",
            "LOG_LEVEL": "WARNING",
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "portal.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=handle,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            if self.get("/help/")[0] == 200 and len(self.worker_pids()) >= self.workers():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def workers(self) -> int:
        return int(self.env.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 2))

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                # The parent pid is the 2nd field after the command name in parentheses.
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def peak_worker_memory_mb(self) -> float:
        """The largest peak resident size (VmHWM) of the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                peaks.append(int(found.group(1)) / 1024)
        return max(peaks, default=0.0)


_posts_sent: dict[str, int] = {}
# Posts answered "saved" by every run, warm-ups included: all of them must be in the database.
posts_saved: dict[str, int] = {}
# Posts that may have been saved unanswered: wrk stops with a request in flight on each
# connection, and the server still finishes it.
posts_in_flight: dict[str, int] = {}


def run_wrk(server: Server, page: Page, clients_file: Path, *, seconds: float, tz: str) -> dict:
    # Each run's posts start after the slots of the runs before it (warm-ups included).
    first_slot = _posts_sent.get(str(clients_file), 0) if page.method == "POST" else 0
    env = {
        **os.environ,
        "BENCH_CLIENTS": str(clients_file),
        "BENCH_PATH": page.path,
        "BENCH_METHOD": page.method,
        "BENCH_EXPECT": str(page.expect),
        "BENCH_THREADS": str(page.clients),
        "BENCH_SLOT_BASE": str(_slot_base(tz) + first_slot * 300),
        "BENCH_NONCE": str(int(time.time()) % 0xFFFFFFFF),
        "TZ": tz,
    }
    command = [
        "wrk", f"-t{page.clients}", f"-c{page.clients}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(LUA), server.base_url + "/",
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"^BENCH (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode or not found:
        raise RuntimeError(f"wrk failed for {page.name}: {done.stdout}\n{done.stderr}")
    result = json.loads(found.group(1))
    if page.method == "POST":
        # The slots this run used: (most posts of one thread) x threads sharing a mentor.
        lines = max(len(clients_file.read_text().split("\n")) - 1, 1)
        sharing = -(-page.clients // lines)
        _posts_sent[str(clients_file)] = first_slot + (result["most_sent"] + 1) * sharing
        posts_saved[str(clients_file)] = posts_saved.get(str(clients_file), 0) + result["ok"]
        posts_in_flight[str(clients_file)] = (
            posts_in_flight.get(str(clients_file), 0) + page.clients
        )
    return result


def _slot_base(tz: str) -> int:
    """Posts go into five-minute slots from nine days ago, at minutes ending in 3 or 8:
    never the future, and never a generated session's time (those fall on the quarter)."""
    start = time.time() - POST_DAYS_BACK * 86400
    return int(start - start % 3600 + 180)


RUNS = 3  # each page is loaded this many times; the run with the median rate is reported


def measure(server, page, clients_file, *, seconds, tz, queries) -> Measure:
    """The page loaded RUNS times after a warm-up; the run with the median requests per
    second is reported whole (its latencies too), and every run's rate is kept: on two
    shared cores one run can be off by half because of something else on the machine."""
    # Warm up: each worker imports its templates and opens its database connection.
    run_wrk(server, page, clients_file, seconds=1, tz=tz)
    runs = []
    for _ in range(RUNS):
        raw = run_wrk(server, page, clients_file, seconds=seconds, tz=tz)
        raw["rps"] = raw["requests"] / (raw["duration_us"] / 1e6)
        runs.append(raw)
    raw = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    return Measure(
        name=page.name,
        path=page.path,
        clients=page.clients,
        seconds=round(raw["duration_us"] / 1e6, 1),
        requests=raw["requests"],
        rps=round(raw["rps"], 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        ok=sum(run["ok"] for run in runs),
        bad=sum(run["bad"] for run in runs),
        socket_errors=sum(run["socket_errors"] for run in runs),
        queries=queries.get(page.name),
        kind=page.kind,
        rps_runs=[round(run["rps"], 1) for run in runs],
    )


def load_pages(server, page_list, *, mentors_file, staff_file, anon_file, seconds, tz, queries):
    files = {"mentor": mentors_file, "staff": staff_file, "anonymous": anon_file}
    results = []
    for page in page_list:
        result = measure(server, page, files[page.who], seconds=seconds, tz=tz, queries=queries)
        print(
            f"  {page.name:<32} {result.rps:>7.1f} req/s  p50 {result.p50_ms:>7.1f} ms  "
            f"p99 {result.p99_ms:>7.1f} ms  ok {result.ok}  other {result.bad}  "
            f"queries {result.queries}",
            flush=True,
        )
        results.append(result)
    return results


# --- The export ---------------------------------------------------------------------------


def measure_export(env: dict, cookie_for, expected_rows: int, log: Path) -> dict:
    """The full CSV export of every session, streamed to the end, in a fresh server so the
    worker's peak memory is the export's."""
    with Server(env, log) as server:
        client = cookie_for()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.perf_counter()
        connection.request(
            "GET", "/staff/export/?report=sessions&file_format=csv",
            headers={"Cookie": client.cookie},
        )  # fmt: skip
        response = connection.getresponse()
        lines = size = 0
        first_byte = None
        while chunk := response.read(1 << 20):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            lines += chunk.count(b"\n")
            size += len(chunk)
        elapsed = time.perf_counter() - started
        connection.close()
        rows = max(lines - 1, 0)  # the header line
        return {
            "status": response.status,
            "rows": rows,
            "expected_rows": expected_rows,
            "seconds": round(elapsed, 2),
            "first_byte_ms": round((first_byte or 0) * 1000, 1),
            "rows_per_second": round(rows / elapsed) if elapsed else 0,
            "megabytes": round(size / 1e6, 1),
            "peak_worker_mb": round(server.peak_worker_memory_mb(), 1),
        }
