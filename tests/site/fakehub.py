"""A small fake hub for tests: hub.toml, two designs and their built files.

Used by tests/site (fixtures in conftest.py) and tests/browser (loaded by path).
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import hub_under_test

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

    ![The clip, seen from above](drawings/clip.svg)

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

# Figures as the engine writes them (contracts-2.md).
PRINT_10 = {"available": True, "time_s": 1884, "filament_cm3": 6.14, "filament_g": 7.7,
            "units": 1, "time_per_unit_s": 1884, "profile": "reference-fdm.ini",
            "slicer": "PrusaSlicer 2.5.0"}
CUT_A4 = {"cut_length_mm": 1234.5, "pierces": 5, "cut_time_s": 98.0,
          "reference": "25 mm/s, 0.5 s per pierce"}
NEST_A4 = {"stock_mm": [600, 400], "parts_per_sheet": 12, "efficiency": 0.81,
           "grid_best": 11, "vs_grid": 1.09, "sheets_needed": 1}

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10"/></svg>')
BODIES = {"stl": b"solid demo\nendsolid demo\n" * 10, "glb": b"glTF-fake-binary", "svg": SVG,
          "step": b"ISO-10303-21;\nEND-ISO-10303-21;\n", "dxf": b"0\nSECTION\n0\nEOF\n"}


def glb_box(x: float, y: float, z: float) -> bytes:
    """A real (small) GLB: a box of the given size in millimetres, as the engine writes."""
    import trimesh

    return trimesh.creation.box(extents=(x, y, z)).export(file_type="glb")


def _write_variant(build: Path, slug: str, variant: str, params: dict,
                   kinds=("stl", "glb", "svg", "step")) -> dict:
    files = {}
    for kind in kinds:
        key, fmt = (kind, kind) if "." not in kind else (kind, kind.rsplit(".", 1)[1])
        body = BODIES[fmt]
        if fmt == "glb":
            body = glb_box(params.get("width", 200), 5, 3)
        if fmt == "svg":  # differs per variant, so a picked variant shows another drawing
            body = body.replace(b"<rect", f"<title>{variant}</title><rect".encode())
        rel = f"{slug}/{variant}.{kind}"
        path = build / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        files[key] = {"path": rel, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                      "format": fmt}
    return {"design": slug, "variant": variant, "params": params, "cache_key": "0" * 64,
            "files": files,
            "bbox": {"min": [0, 0, 0], "max": [params.get("width", 200), 5, 3],
                     "size": [params.get("width", 200), 5, 3]},
            "volume_mm3": 100.0, "triangles": 12,
            "checks": {"watertight": {"ok": True, "detail": "fake"}}, "ok": True}


def make_fake_hub(root: Path) -> dict[str, str]:
    """A hub with two designs and their built files: 'demo-clip' (3D printed, en + fr
    texts, no Arabic, two variants: one with print figures, one without a slicer and with
    a fit check against demo-panel) and 'demo-panel' (laser, English only, one variant,
    a `cut.dxf` profile with cut and nesting figures).
    Returns the environment that points build_site/gen_pages (and the API) at it."""
    # The hub under test (a fork's in CI's second pass), publishing the fake designs.
    hub = hub_under_test.with_tables(hub_under_test.text(), '[designs]\npublish = ["*"]\n')
    (root / "hub.toml").write_text(hub, encoding="utf-8")
    design = root / "designs" / "demo-clip"
    design.mkdir(parents=True)
    (design / "design.toml").write_text(DESIGN_TOML, encoding="utf-8")
    (design / "instructions.en.md").write_text(INSTRUCTIONS_EN, encoding="utf-8")
    (design / "instructions.fr.md").write_text(INSTRUCTIONS_FR, encoding="utf-8")
    (design / "drawings").mkdir()
    (design / "drawings" / "clip.svg").write_bytes(SVG)  # shown by the instructions
    panel = root / "designs" / "demo-panel"
    panel.mkdir(parents=True)
    (panel / "design.toml").write_text(PANEL_TOML, encoding="utf-8")
    build = root / "build"
    variants = [_write_variant(build, "demo-clip", str(w),
                               {"width": w, "thickness": 2.0, "rounded": True})
                for w in (10, 20)]
    variants[0]["figures"] = {"print": dict(PRINT_10)}
    variants[1]["figures"] = {"print": {"available": False,
                                        "reason": "prusa-slicer is not installed"},
                              "stiffness": {"second_moment_mm4": 123.4, "axis": "x"},
                              "experimental": {"flex_mm": 0.5}}
    variants[1]["fits"] = [{"design": "demo-panel", "variant": "a4", "ok": True,
                            "max_error_mm": 0.1, "clearance_mm": 0.4}]
    panel = _write_variant(build, "demo-panel", "a4", {"sheet": "a4"},
                           ("svg", "cut.dxf", "dxf"))
    panel["figures"] = {"cut": dict(CUT_A4), "nest": dict(NEST_A4)}
    variants.append(panel)
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


