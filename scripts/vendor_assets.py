"""Copy the front-end packages the site serves itself from node_modules/ into
docs/assets/vendor/ (ignored by git), so that no page loads anything from a CDN.

    python scripts/vendor_assets.py [--check]

Run after `npm ci` (scripts/setup.sh does both). Each package's files and licence go to
docs/assets/vendor/<name>/; a file is copied only when missing or different. `--check`
copies nothing and exits 1 if a file is missing or stale. build_site.py calls `ensure()`.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "docs" / "assets" / "vendor"

# name in the site -> (npm package, {file in the package: file in the site})
PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    # Google's <model-viewer>, three.js bundled in (the 3D preview of design pages); the UMD
    # build, a classic script that design.js adds with a plain <script> tag when asked.
    "model-viewer": ("@google/model-viewer", {"dist/model-viewer-umd.min.js": "model-viewer.min.js",
                                              "LICENSE": "LICENSE"}),
    # Material's search runs in a Web Worker, which browsers refuse from file://: this
    # shim (the one Material's offline plugin would fetch from unpkg) runs it in an iframe.
    "iframe-worker": ("iframe-worker", {"shim/index.js": "shim.js", "LICENSE": "LICENSE"}),
    # uPlot, the charts of the public dashboard (docs/<lang>/dashboard.md): its IIFE build,
    # a classic script defining window.uPlot, loaded by that page only (dashboard-page.html).
    "uplot": ("uplot", {"dist/uPlot.iife.min.js": "uPlot.iife.min.js",
                        "dist/uPlot.min.css": "uPlot.min.css", "LICENSE": "LICENSE"}),
}


class VendorError(RuntimeError):
    """A package is not installed in node_modules/."""


def planned(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[tuple[Path, Path]]:
    """(source, destination) of every vendored file; raises VendorError if one is missing."""
    out = []
    for name, (package, files) in PACKAGES.items():
        folder = node_modules / package
        if not (folder / "package.json").is_file():
            raise VendorError(f"{folder} is missing: run `npm ci` (package.json lists {package})")
        for source, target in files.items():
            if not (folder / source).is_file():
                raise VendorError(f"{folder / source} is missing from npm package {package}")
            out.append((folder / source, vendor / name / target))
    return out


def stale(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[Path]:
    return [dst for src, dst in planned(node_modules, vendor)
            if not dst.is_file() or not filecmp.cmp(src, dst, shallow=False)]


def ensure(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[Path]:
    """Copy what is missing or stale; returns the files copied."""
    copied = []
    for src, dst in planned(node_modules, vendor):
        if not dst.is_file() or not filecmp.cmp(src, dst, shallow=False):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied.append(dst)
    return copied


def versions(node_modules: Path = NODE_MODULES) -> dict[str, str]:
    """Installed version of each vendored npm package."""
    return {package: json.loads((node_modules / package / "package.json").read_text())["version"]
            for package, _ in PACKAGES.values()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="copy nothing; fail if stale")
    args = parser.parse_args(argv)
    try:
        if args.check:
            missing = stale()
            for path in missing:
                print(f"stale or missing: {path.relative_to(ROOT)}", file=sys.stderr)
            return 1 if missing else 0
        copied = ensure()
    except VendorError as err:
        print(f"vendor_assets: {err}", file=sys.stderr)
        return 1
    for path in copied:
        print(f"vendored {path.relative_to(ROOT)}")
    print("vendored: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
