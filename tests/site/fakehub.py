"""A small fake hub for tests: hub.toml, two designs and their built files.

Used by tests/site (fixtures in conftest.py) and tests/browser (loaded by path).
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

DESIGN_TOML = textwrap.dedent('''\
    technology = "fdm"
    status = "community"
    licence = "CC-BY-SA-4.0"
    version = "0.2.0"

    [title]
    en = "Demo clip"
    fr = "Clip de démo"

    [summary]
    en = "A clip | that holds things."
    fr = "Un clip qui tient des choses."

    [not_certified_for]
    en = "contact with patients' skin or airways."
    fr = "le contact avec la peau ou les voies respiratoires des patients."

    [[bom]]
    quantity = 1
    unit = "pc"
    [bom.item]
    en = "Printed clip"
    fr = "Clip imprimé"

    [variants]
    id = "{width}"
    [variants.matrix]
    width = [10, 20]
    ''')

INSTRUCTIONS_EN = textwrap.dedent('''\
    # Printing

    Print flat, 0.2 mm layers.

    ```text
    # not a heading
    ```

    ## Assembly

    Clip it.
    ''')

INSTRUCTIONS_FR = "# Impression\n\nImprimer à plat.\n"

# A second design: laser-cut, English texts only, one variant, no instructions.
PANEL_TOML = textwrap.dedent('''\
    technology = "laser"
    status = "warning"
    licence = "CERN-OHL-S-2.0"
    version = "0.1.0"
    [title]
    en = "Demo panel"
    [summary]
    en = "A flat panel."
    [not_certified_for]
    en = "any medical use."
    [variants]
    id = "{sheet}"
    [variants.matrix]
    sheet = ["a4"]
    ''')

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10"/></svg>')
BODIES = {"stl": b"solid demo\nendsolid demo\n" * 10, "glb": b"glTF-fake-binary", "svg": SVG,
          "step": b"ISO-10303-21;\nEND-ISO-10303-21;\n", "dxf": b"0\nSECTION\n0\nEOF\n"}


def _write_variant(build: Path, slug: str, variant: str, params: dict,
                   kinds=("stl", "glb", "svg", "step")) -> dict:
    files = {}
    for kind in kinds:
        body = BODIES[kind]
        rel = f"{slug}/{variant}.{kind}"
        path = build / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        files[kind] = {"path": rel, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    return {"design": slug, "variant": variant, "params": params, "cache_key": "0" * 64,
            "files": files,
            "bbox": {"min": [0, 0, 0], "max": [params.get("width", 200), 5, 3],
                     "size": [params.get("width", 200), 5, 3]},
            "volume_mm3": 100.0, "triangles": 12,
            "checks": {"watertight": {"ok": True, "detail": "fake"}}, "ok": True}


def make_fake_hub(root: Path) -> dict[str, str]:
    """A hub with two designs and their built files: 'demo-clip' (3D printed, en + fr
    texts, no Arabic, two variants) and 'demo-panel' (laser, English only, one variant).
    Returns the environment that points build_site/gen_pages (and the API) at it."""
    hub = (REPO / "hub.toml").read_text(encoding="utf-8")
    (root / "hub.toml").write_text(hub, encoding="utf-8")
    design = root / "designs" / "demo-clip"
    design.mkdir(parents=True)
    (design / "design.toml").write_text(DESIGN_TOML, encoding="utf-8")
    (design / "instructions.en.md").write_text(INSTRUCTIONS_EN, encoding="utf-8")
    (design / "instructions.fr.md").write_text(INSTRUCTIONS_FR, encoding="utf-8")
    panel = root / "designs" / "demo-panel"
    panel.mkdir(parents=True)
    (panel / "design.toml").write_text(PANEL_TOML, encoding="utf-8")
    build = root / "build"
    variants = [_write_variant(build, "demo-clip", str(w),
                               {"width": w, "thickness": 2.0, "rounded": True})
                for w in (10, 20)]
    variants.append(_write_variant(build, "demo-panel", "a4", {"sheet": "a4"}, ("svg", "dxf")))
    manifest = {"schema": 1,
                "designs": {"demo-clip": {"technology": "fdm", "status": "community",
                                          "version": "0.2.0"},
                            "demo-panel": {"technology": "laser", "status": "warning",
                                           "version": "0.1.0"}},
                "variants": variants}
    (build / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return {"USINE_HUB_CONFIG": str(root / "hub.toml"),
            "USINE_MANIFEST": str(build / "manifest.json"),
            "USINE_DESIGNS_DIR": str(root / "designs")}


