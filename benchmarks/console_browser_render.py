"""Console first render as a reviewer sees it: `streamlit run` on a free loopback port over a store,
headless Chromium over the DevTools protocol; the time from navigation until the opened incident's
last section ("Audit trail of this incident") is on the page. The first load is cold (a new server
process), the others are fresh sessions of the same server.

    python benchmarks/console_browser_render.py sqlite:////tmp/triage-demo/triage.db --loads 4
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

from odoo_triage.app.commands.console import streamlit_command

CHROMIUM = "/usr/bin/chromium"
NEEDLE = "Audit trail of this incident"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{proc.args[0]} exited") from None
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def measure(url: str, loads: int) -> list[float]:
    from websockets.sync.client import connect

    port, dev = _port(), _port()
    env = dict(os.environ, TRIAGE_DATABASE_URL=url)
    server = subprocess.Popen(streamlit_command(port, headless=True), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                    f"--user-data-dir={profile}", "--window-size=1400,1000",
                                    f"--remote-debugging-port={dev}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _wait(f"http://127.0.0.1:{port}/_stcore/health", server)
            _wait(f"http://127.0.0.1:{dev}/json/version", browser)
            with urllib.request.urlopen(f"http://127.0.0.1:{dev}/json/list") as r:
                page = next(t for t in json.loads(r.read()) if t.get("type") == "page")
            times = []
            with connect(page["webSocketDebuggerUrl"], max_size=50_000_000) as ws:
                n = 0

                def call(method: str, **params):  # type: ignore[no-untyped-def]
                    nonlocal n
                    n += 1
                    ws.send(json.dumps({"id": n, "method": method, "params": params}))
                    while True:
                        msg = json.loads(ws.recv(timeout=120))
                        if msg.get("id") == n:
                            return msg.get("result", {})

                for _ in range(loads):
                    t0 = time.perf_counter()
                    call("Page.navigate", url=f"http://127.0.0.1:{port}/")
                    while time.perf_counter() - t0 < 120:
                        got = call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
                        if NEEDLE in (got.get("result", {}).get("value") or ""):
                            break
                        time.sleep(0.05)
                    times.append(time.perf_counter() - t0)
                    call("Page.navigate", url="about:blank")
            return times
        finally:
            for proc in (browser, server):
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # our own process groups only
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--loads", type=int, default=4)
    args = ap.parse_args()
    times = measure(args.url, args.loads)
    warm = times[1:] or times
    print(f"console first render: cold {times[0]:.2f} s, then median {statistics.median(warm):.2f} s "
          f"over {len(warm)} fresh session(s) ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
