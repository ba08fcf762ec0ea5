"""The README's screenshots, taken from the demo in a real headless Chromium at 1440 × 900.

    python bench/screenshots.py                   # loads the demo into a temp folder first (~4 min)
    python bench/screenshots.py --data-dir DIR    # a folder with the demo loaded (copied, left as it was)

Writes `docs/screenshots/blueprint.png` (the service blueprint of the demo's "Join & get
connected" journey, as an employee without edit rights sees it) and
`docs/screenshots/my-work.png` (the "my work" home of a team member). It starts `cxkeeper serve`
on a free loopback port, signs in through the real form, and stops the server at the end.
Each PNG is reduced to an adaptive 256-colour palette (text and flat colours survive it) and
kept under `MAX_BYTES`, so the repository stays small.

Chromium is Debian's (`/usr/bin/chromium`, or `CXKEEPER_CHROMIUM`), never a downloaded one.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from cxkeeper.testing.loopback import cxkeeper_server

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CXKEEPER_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1440, "height": 900}
MAX_BYTES = 400_000
JOURNEY = "/journeys/join-get-connected/"
EMPLOYEE = "victor"    # viewer: the blueprint without edit buttons, as every employee sees it
TEAM_MEMBER = "ivan"   # IT & Digital Platforms: steps, perspectives owed, action items


def prepare_data(args, work: Path) -> Path:
    target = work / "data"
    if args.data_dir:
        source = Path(args.data_dir)
        if not (source / "demo-password.txt").is_file():
            raise SystemExit(f"--data-dir {source}: no demo-password.txt; load the demo there first "
                             "(cxkeeper demo --no-serve --data-dir DIR).")
        target.mkdir()
        for name in ("secret_key", "demo-password.txt"):
            shutil.copy2(source / name, target / name)
        with sqlite3.connect(source / "cxkeeper.sqlite3") as original, \
                sqlite3.connect(target / "cxkeeper.sqlite3") as copy:
            original.backup(copy)
        return target
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(target)}
    env.pop("DATABASE_URL", None)
    print(f"Loading the demo ({args.feedback_rows:,} feedback rows) into {target} …", flush=True)
    subprocess.run([sys.executable, "-m", "cxkeeper", "demo", "--no-serve", "--feedback-rows",  # noqa: S603
                    str(args.feedback_rows)], env=env, check=True, stdout=subprocess.DEVNULL)
    return target


def small_png(png: bytes) -> bytes:
    """An adaptive 256-colour palette, optimised: a UI screenshot stays sharp at a fraction of the size."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def take(base: str, password: str) -> dict[str, bytes]:
    from playwright.sync_api import sync_playwright

    shots = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])

        def signed_in(username: str):
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            return context, page

        context, page = signed_in(EMPLOYEE)
        page.goto(f"{base}{JOURNEY}", wait_until="networkidle")
        # the blueprint itself: customer actions, front stage and back stage lanes fill the screen
        top = page.locator("#blueprint").bounding_box()["y"]
        shots["blueprint.png"] = page.screenshot(full_page=True, clip={"x": 0, "y": top, **VIEWPORT})
        context.close()

        context, page = signed_in(TEAM_MEMBER)
        page.goto(f"{base}/", wait_until="networkidle")
        shots["my-work.png"] = page.screenshot()
        context.close()
        browser.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="a data folder with the demo loaded (copied first)")
    parser.add_argument("--feedback-rows", type=int, default=40_000, help="feedback rows when loading the demo")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write the PNGs to")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxkeeper-screenshots-") as tmp:
        work = Path(tmp)
        data = prepare_data(args, work)
        password = (data / "demo-password.txt").read_text().strip()
        with cxkeeper_server(data, "127.0.0.1", workers=1, database_url=None, log=work / "server.log") as (port, _):
            shots = take(f"http://127.0.0.1:{port}", password)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, png in shots.items():
        small = small_png(png)
        if len(small) > MAX_BYTES:
            raise SystemExit(f"{name}: {len(small):,} bytes, more than {MAX_BYTES:,}")
        (args.out / name).write_bytes(small)
        print(f"{args.out / name}: {len(small):,} bytes (from {len(png):,})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
