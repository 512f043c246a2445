"""`scripts/run` on a copy of the repository as a clone has it (no var/, no database), beside a
Redis that already answers: it must start everything, and it must never say "running" when one
of its processes died. The copy uses this machine's virtualenv, so no packages are installed."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.firstrun import ROOT, free_redis, stop, wait_for_output

pytestmark = pytest.mark.e2e
PORT = int(os.environ.get("DEALERLMS_TEST_RUN_PORT", "8110"))


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The repository's tracked (and new, not ignored) files as they are in the working tree."""
    target = tmp_path_factory.mktemp("clone")
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file() and not source.is_symlink():
            dest = target / name.decode()
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(source.read_bytes())
            dest.chmod(source.stat().st_mode)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())
    assert not (target / "var").exists()
    return target


@pytest.fixture(scope="module")
def redis_url() -> str:
    with free_redis() as url:
        yield url


def start_run(copy: Path, redis: str) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "PORT": str(PORT),
        "REDIS_URL": redis,
        "DATABASE_URL": f"sqlite:///{copy}/db.sqlite3",
    }
    env.pop("ANYMAIL_WEBHOOK_SECRET", None)
    return subprocess.Popen(
        ["scripts/run"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped as a whole below
    )


def read_until(process: subprocess.Popen, marker: str, timeout: float = 180) -> tuple[str, bool]:
    return wait_for_output(process, marker, timeout)


def test_run_starts_everything_when_a_redis_already_answers(fresh_copy, redis_url):
    process = start_run(fresh_copy, redis_url)
    try:
        out, running = read_until(process, "DealerLMS is running")
        assert running, out
        assert "No such file" not in out, out
        assert (fresh_copy / "var" / "worker.log").exists()
        assert process.poll() is None, out
        # The README's next command: a lead through the real webhook, parsed by the worker
        # (through that Redis), routed to a salesperson whatever the hour.
        db = sqlite3.connect(fresh_copy / "db.sqlite3")
        before = db.execute("SELECT max(id) FROM leads_lead").fetchone()[0]
        sent = subprocess.run(
            ["scripts/send-demo-lead"],
            cwd=fresh_copy,
            env={**os.environ, "PORT": str(PORT), "ANYMAIL_WEBHOOK_SECRET": ""},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        lead = wait_for(
            lambda: db.execute(
                "SELECT id, assigned_to_id FROM leads_lead WHERE id > ? AND assigned_to_id"
                " IS NOT NULL",
                [before],
            ).fetchone(),
            timeout=60,
        )
        assert lead is not None
        # A wrong secret is refused, and the script says what to check.
        refused = subprocess.run(
            ["scripts/send-demo-lead", "--secret", "wrong:secret"],
            cwd=fresh_copy,
            env={**os.environ, "PORT": str(PORT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1
        assert "ANYMAIL_WEBHOOK_SECRET" in refused.stderr
        # The worker dies (kill -9, as when Redis restarts under it): it is started again, and
        # the app goes on; the script does not stop everything.
        worker = _worker_pid(fresh_copy)
        os.kill(worker, signal.SIGKILL)
        out, restarted = read_until(process, "worker (var/worker.log) stopped: starting it again")
        assert restarted, out
        assert wait_for(lambda: _worker_pid(fresh_copy) not in (None, worker), timeout=60)
        assert process.poll() is None, out
    finally:
        stop(process)


def _worker_pid(copy: Path) -> int | None:
    """The Celery worker's main process that scripts/run started in `copy` (another DealerLMS
    may run its own workers on this machine: only those in `copy` count)."""
    found = subprocess.run(
        ["pgrep", "-f", "celery -A dealerlms worker.*"], capture_output=True, text=True
    )
    ours: dict[int, int] = {}
    for pid in map(int, found.stdout.split()):
        try:
            if Path(f"/proc/{pid}/cwd").resolve() == copy.resolve():
                ours[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # gone meanwhile
    # The main process is the one whose parent is not a worker too (its pool's children are).
    return next((pid for pid, parent in ours.items() if parent not in ours), None)


def test_run_says_what_died_instead_of_running(fresh_copy, redis_url):
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(("127.0.0.1", PORT))
    taken.listen()
    process = start_run(fresh_copy, redis_url)
    try:
        out, running = read_until(process, "DealerLMS is running")
        assert not running, out
        assert process.wait(timeout=30) != 0, out
        assert "did not start: the web server stopped" in out, out
    finally:
        stop(process)
        taken.close()
