"""Digest height in px, as a reader scrolls it: headless Chromium screenshots a very tall window and
the last row with anything on it (plus the body's bottom margin) is the page's height.

    python benchmarks/digest_height.py triage-demo/digest.html [--width 1280]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

CHROMIUM = "/usr/bin/chromium"
BODY_MARGIN_PX = 24  # app/digest.py _CSS: margin 24px auto


def page_height(html: Path, width: int = 1280, window: int = 30_000) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "digest.png"
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={shot}", f"--window-size={width},{window}", html.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        img = Image.open(shot).convert("L")
    w, h = img.size
    px = img.load()
    last = max((y for y in range(h) if any(px[x, y] < 250 for x in range(0, w, 4))), default=0)
    return last + 1 + BODY_MARGIN_PX


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("html", type=Path)
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
    print(f"{args.html}: {page_height(args.html, args.width)} px tall at {args.width} px wide")


if __name__ == "__main__":
    main()
