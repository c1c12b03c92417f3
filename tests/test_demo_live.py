"""`make demo` as a person meets it: the demo polls the bundled feeds, then keeps running the
bot with the web page on 127.0.0.1, where the demo account signs in and sees the queue."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.demo.run import DEMO_PASSWORD, DEMO_USER
from tests.processes import child_env, free_port

WAIT_S = 60


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    env = child_env()
    command = [sys.executable, "-m", "bot", "demo", "--dir", str(tmp_path / "demo")]
    process = subprocess.Popen(
        [*command, "--web-port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    yield process, f"http://127.0.0.1:{port}"
    if process.poll() is None:
        process.kill()
    process.communicate()


def wait_until_serving(base: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the demo's page did not answer at {base} within {WAIT_S} s")


def sign_in(client: httpx.Client) -> httpx.Response:
    form = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the sign-in form carries a CSRF token"
    fields = {"csrf_token": token[1], "next": "/", "name": DEMO_USER, "password": DEMO_PASSWORD}
    return client.post("/signin", data=fields, follow_redirects=True)


def test_the_demo_serves_its_queue_on_the_web_page_until_stopped(
    demo: tuple[subprocess.Popen[str], str],
) -> None:
    process, base = demo
    wait_until_serving(base)
    with httpx.Client(base_url=base) as client:
        queue = sign_in(client)
    assert queue.status_code == 200
    assert "Fira d’Economia Social i Solidària de Sant Cugat" in queue.text  # the demo agenda
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=WAIT_S)
    assert process.returncode == 0
    assert f"usuari «{DEMO_USER}», contrasenya «{DEMO_PASSWORD}», creat ara" in out
