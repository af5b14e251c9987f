"""Digest height in px: headless chromium screenshot of a tall window, then the last non-white row."""
import subprocess, sys, tempfile
from PIL import Image
html, width = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1280
shot = tempfile.mktemp(suffix=".png")
subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                f"--screenshot={shot}", f"--window-size={width},30000", f"file://{html}"],
               check=True, capture_output=True, timeout=120)
img = Image.open(shot).convert("L")
w, h = img.size
px = img.load()
last = max((y for y in range(h) if any(px[x, y] < 250 for x in range(0, w, 4))), default=0)
print(f"{html}: content height {last + 1 + 24} px (window {w}x{h}; +24 px body margin)")
