"""What a newcomer does: `git clone`, the README's first command, open the URL, log in, reach
the inbox, Ctrl-C. Nothing of this machine's set-up is borrowed: the clone makes its own
virtualenv (pip installs the pinned requirements, from the local wheel cache where pip is set
up with one), its own SQLite database, and starts its own Redis on a private port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time

import pytest

from tests.browser import ARTIFACTS, FLAGS, chromium_or_skip
from tests.firstrun import ROOT, stop, wait_for_output

pytestmark = pytest.mark.e2e
PORT = int(os.environ.get("DEALERLMS_TEST_RUN_PORT", "8110"))
REDIS_PORT = int(os.environ.get("DEALERLMS_TEST_REDIS_PORT", "6410"))


def answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def readme_first_command() -> str:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    return block.splitlines()[0].split("#")[0].strip()


def test_a_fresh_clone_runs_with_the_readmes_first_command(tmp_path):
    executable = chromium_or_skip()
    assert not answers(PORT) and not answers(REDIS_PORT), "ports in use: cannot run this test"
    branch = subprocess.run(
        ["git", "rev-parse", "--abbrev-ref", "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    clone = tmp_path / "dealerlms"
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", branch, str(ROOT), str(clone)], check=True
    )
    assert not (clone / ".venv").exists() and not (clone / "var").exists()
    command = readme_first_command()
    assert command == "scripts/run"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "VIRTUAL_ENV", "DATABASE_URL", "ANYMAIL_"))
    }
    env.update(
        PORT=str(PORT),
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",  # nothing answers there: it starts one
        REDIS_PORT=str(REDIS_PORT),
        PATH=os.environ["PATH"].replace(str(ROOT / ".venv" / "bin") + ":", ""),
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [command],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, running = wait_for_output(process, "DealerLMS is running", timeout=600)
        took = time.monotonic() - started
        assert running, out[-3000:]
        print(f"\nfresh clone → running in {took:.0f} s")
        assert f"http://127.0.0.1:{PORT}/" in out
        assert (clone / ".venv" / "bin" / "python").exists()  # its own virtualenv
        assert answers(REDIS_PORT)  # its own Redis

        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-GB")
            page.set_default_timeout(20_000)
            page.goto(f"http://127.0.0.1:{PORT}/")
            page.wait_for_url("**/accounts/login/**")
            page.fill("#id_username", "sanne")
            page.fill("#id_password", "dealerlms")
            page.click("button[type=submit]")
            page.wait_for_url("**/leads/mine/")
            page.wait_for_selector("h1")
            assert page.inner_text("h1") == "Mijn leads"  # Sanne reads Dutch
            assert page.locator(".inbox li").count() > 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "fresh-clone-inbox.png"))
            browser.close()
    finally:
        stop(process)
    assert process.returncode is not None
    deadline = time.monotonic() + 15
    while (answers(PORT) or answers(REDIS_PORT)) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not answers(PORT) and not answers(REDIS_PORT)  # Ctrl-C stopped all of it
