"""Helpers for the tests that run the project's own scripts, as a newcomer would."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A Redis of the test's own, never the one a running app (or another test run) uses.
REDIS_PORT = int(os.environ.get("DEALERLMS_TEST_REDIS_PORT", "6410"))


@contextlib.contextmanager
def free_redis(port: int = REDIS_PORT) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server on this machine")
    with tempfile.TemporaryDirectory() as workdir:
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            import redis

            for _ in range(50):
                with contextlib.suppress(Exception):
                    if redis.Redis.from_url(url).ping():
                        break
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C to the script's process group (as a person would), then make sure."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # Stray children (runserver's reloader child, celery's pool) share the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_for_output(
    process: subprocess.Popen, marker: str, timeout: float = 180
) -> tuple[str, bool]:
    """The script's output up to `marker` (True), or up to its exit or the timeout (False)."""
    lines: list[str] = []
    if not hasattr(process, "_lines"):
        process._lines = lines  # type: ignore[attr-defined]

        def pump() -> None:
            for line in process.stdout:
                lines.append(line)

        threading.Thread(target=pump, daemon=True).start()
    lines = process._lines  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = "".join(lines)
        if marker in out:
            return out, True
        if process.poll() is not None:
            time.sleep(0.3)  # the last lines still in the pipe
            return "".join(lines), False
        time.sleep(0.2)
    return "".join(lines), False
