"""End to end: serve the console with `streamlit run` on a free loopback port and screenshot it with
headless Chromium. Skips (with the reason) when Chromium is absent outside CI; fails in CI."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from odoo_triage.app.commands.console import streamlit_command

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
MIN_PNG_BYTES = 40_000  # a blank page or Streamlit's loading skeleton is under 10 kB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Browser:
    """Headless Chromium driven over the DevTools protocol: load, wait until the app has rendered
    (Streamlit fills the page over a websocket, which --virtual-time-budget does not wait for), shoot."""

    def __init__(self, tmp: Path) -> None:
        import json

        from websockets.sync.client import connect

        port = _free_port()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp}", "--window-size=1400,1000", "--hide-scrollbars",
             f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    pages = [t for t in json.loads(r.read()) if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.2)
        self._conn = connect(pages[0]["webSocketDebuggerUrl"], max_size=50_000_000, open_timeout=10)
        self.ws = self._conn.__enter__()
        self._id = 0
        self._json = json

    def call(self, method: str, **params):  # type: ignore[no-untyped-def]
        self._id += 1
        self.ws.send(self._json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = self._json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result", {})

    def text(self) -> str:
        got = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
        return got.get("result", {}).get("value", "") or ""

    def open_and_wait(self, url: str, needles: list[str], timeout: float = 60) -> str:
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                time.sleep(2.0)  # let the data grids and the chart paint
                return self.text()
            time.sleep(0.5)
        return text

    def screenshot(self, path: Path) -> None:
        import base64

        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        try:
            if getattr(self, "_conn", None) is not None:
                self._conn.__exit__(None, None, None)
        finally:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture
def served_console(tmp_path):
    from test_console import CONFIG, seed_store

    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    seed_store(url)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG)
    port = _free_port()
    env = dict(os.environ, TRIAGE_DATABASE_URL=url, TRIAGE_CONFIG=str(cfg))
    env.pop("TRIAGE_USER", None)
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(streamlit_command(port, headless=True), env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="chromium is not installed (apt-get install -y chromium); CI installs it")
def test_console_is_served_and_screenshots(served_console, tmp_path):
    assert CHROMIUM is not None, "chromium is required in CI (.ci/run installs it)"
    with urllib.request.urlopen(served_console + "/", timeout=10) as r:
        shell = r.read().decode()
    assert r.status == 200 and "<div id=\"root\">" in shell.replace("'", '"')
    png = tmp_path / "console.png"
    browser = _Browser(tmp_path / "chromium-profile")
    try:
        text = browser.open_and_wait(served_console + "/", ["Incident queue", "Invoice export rate-limited", "Anomaly chart"])
        browser.screenshot(png)
    finally:
        browser.close()
    log = (tmp_path / "streamlit.log").read_text()[-3000:]
    # the page served is the app: the queue, the opened incident, who is signed in, the proposal's calls
    assert "Incident queue" in text and "Invoice export rate-limited" in text, log
    # nobody signed in through the browser: the console is read-only until someone does
    assert "nobody (read-only)" in text and "2 open incident(s)" in text
    assert png.exists(), "chromium wrote no screenshot"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) >= MIN_PNG_BYTES, f"screenshot is only {len(data)} bytes: the page did not render"
    from PIL import Image

    img = Image.open(png).convert("RGB")
    assert img.size == (1400, 1000)
    colors = img.getcolors(maxcolors=1_000_000)
    assert colors is not None and len(colors) > 200  # text, badges, table, chart: not a blank page
    keep = os.environ.get("TRIAGE_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)
    sys.stdout.write(f"screenshot {png} {len(data)} bytes\n")
