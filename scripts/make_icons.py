"""Draw the app's home-screen icons (the web app manifest, config/webapp.py) as PNGs.

    .venv/bin/python scripts/make_icons.py

`static/favicon.svg` at 192 and 512 pixels (`static/icons/app-192.png`, `app-512.png`),
and `static/icons/app-maskable.svg` (the cup inside the safe zone, the colour to the edges,
for phones that cut icons into circles or squircles) at 512. Drawn by headless Chromium
(Debian's `chromium`), so no image library is needed.
"""

import os
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "static"
ICONS = [
    (STATIC / "favicon.svg", 192, "app-192.png"),
    (STATIC / "favicon.svg", 512, "app-512.png"),
    (STATIC / "icons" / "app-maskable.svg", 512, "app-maskable-512.png"),
]


def main() -> None:
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for source, size, name in ICONS:
            page = browser.new_page(viewport={"width": size, "height": size})
            svg = source.read_text(encoding="utf-8").replace(
                "<svg ", f'<svg width="{size}" height="{size}" style="display:block" ', 1
            )
            page.set_content(f'<body style="margin:0;background:transparent">{svg}</body>')
            page.screenshot(path=str(STATIC / "icons" / name), omit_background=True)
            page.close()
            print(f"static/icons/{name}")
        browser.close()


if __name__ == "__main__":
    main()
