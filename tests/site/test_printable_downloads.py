"""Design pages offer the printer-ready 3MF (with the print settings it carries and the
profile itself) and the sheets' PDF punch templates, in every language (issue 16)."""

from __future__ import annotations

import hashlib
from markupsafe import escape
import json
from pathlib import Path

import pytest

import hub_under_test
import sitegen as sc
import sitelangs
from fakehub import PRINT_10, make_fake_hub

REPO = Path(__file__).resolve().parents[2]
LANGS = ["fr", "en", "ar"]  # the languages the fake designs are loaded in
LANGUAGES = sitelangs.WORDS  # the hub under test's (a fork's in CI) and the catalogs'
# The repository's designs that offer a printable download (checked when the hub publishes
# them); every printed variant of any published design also offers its 3MF.
PRINTABLE = {"snorkel-adapter": (".3mf",), "visor-headband": (".3mf",),
             "visor-sheet": (".template-a4.pdf", ".template-letter.pdf")}
SETTINGS = {"technology": "fdm", "layer_height_mm": 0.3, "perimeters": 2, "infill": "20%",
            "infill_pattern": "grid", "nozzle_mm": 0.4, "material": "PETG",
            "material_source": "comment"}


def _add_file(build: Path, rec: dict, key: str, body: bytes) -> None:
    rel = f"{rec['design']}/{rec['variant']}.{key}"
    (build / rel).write_bytes(body)
    rec["files"][key] = {"path": rel, "bytes": len(body),
                         "sha256": hashlib.sha256(body).hexdigest(),
                         "format": key.rsplit(".", 1)[-1]}


@pytest.fixture(scope="module")
def designs(tmp_path_factory):
    env = make_fake_hub(tmp_path_factory.mktemp("printable-hub"))
    path = Path(env["USINE_MANIFEST"])
    manifest = json.loads(path.read_text())
    build = path.parent
    for rec in manifest["variants"]:
        if rec["design"] == "demo-clip" and rec["variant"] == "10":
            rec["figures"]["print"] = {**PRINT_10, "settings": SETTINGS}
            _add_file(build, rec, "3mf", b"PK fake 3mf")
        if rec["design"] == "demo-panel":
            for paper in ("a4", "letter"):
                _add_file(build, rec, f"template-{paper}.pdf", b"%PDF-1.4 fake\n%%EOF\n")
    path.write_text(json.dumps(manifest))
    loaded = sc.load_manifest(path)
    return {slug: sc.load_design(Path(env["USINE_DESIGNS_DIR"]), slug, loaded, LANGS)
            for slug in ("demo-clip", "demo-panel")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_3mf_listed_after_the_stl_with_its_label(designs, lang):
    md = sc.design_markdown(designs["demo-clip"], lang)
    stl, tmf = md.index('href="../../downloads/demo-clip/10.stl"'), \
        md.index('href="../../downloads/demo-clip/10.3mf"')
    assert stl < tmf < md.index('href="../../downloads/demo-clip/10.glb"')
    assert sc.ui(lang)["kind_3mf"] in md
    assert "10.3mf" in sc.checksums_text(designs["demo-clip"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_print_settings_named_on_the_page(designs, lang):
    md = sc.design_markdown(designs["demo-clip"], lang)
    w = sc.ui(lang)
    # Measured per variant: its print time, in its figures table.
    assert f"<th scope=\"row\">{escape(w['fig_print_time'])}</th>" in md
    assert sc.duration(PRINT_10["time_s"], lang) in md
    # The same for every variant: the profile, once, with the settings it prints with.
    (line,) = [x for x in md.splitlines()
               if "](../downloads/profiles/reference-fdm.ini){ download }" in x]
    for key in ("fig_technology", "fig_material", "fig_layer_height", "fig_perimeters",
                "fig_infill"):
        assert f"{w[key]}: " in line, key
    assert sc.technology_label("fdm", lang) in line
    assert "PETG" in line and "20%" in line
    assert f"0{w['decimal']}3 mm" in line


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_templates_listed_after_the_dxf(designs, lang):
    md = sc.design_markdown(designs["demo-panel"], lang)
    dxf = md.index('href="../../downloads/demo-panel/a4.cut.dxf"')
    a4 = md.index('href="../../downloads/demo-panel/a4.template-a4.pdf"')
    letter = md.index('href="../../downloads/demo-panel/a4.template-letter.pdf"')
    assert dxf < a4 < letter < md.index('href="../../downloads/demo-panel/a4.svg"')
    assert md.count(sc.ui(lang)["kind_pdf"]) >= 2


def test_every_language_names_the_new_kinds():
    for lang in LANGUAGES:
        w = sc.ui(lang)
        for key in ("kind_3mf", "kind_pdf", "fig_technology", "fig_material",
                    "fig_layer_height", "fig_perimeters", "fig_infill", "fig_profile"):
            assert w.get(key), (lang, key)
        if lang != "en":
            assert w["kind_3mf"] != sc.ui("en")["kind_3mf"]


def test_real_pages_offer_the_3mf_and_pdf(real_manifest):
    """On the hub's published designs: each printed variant's 3MF and the sheets' PDF
    templates, linked from the page in every language of the hub."""
    manifest = sc.load_manifest(real_manifest)
    slugs = sc.published_slugs(sc.load_hub(hub_under_test.PATH), manifest)
    if not any(rec["design"] in slugs and "3mf" in rec["files"] for rec in manifest["variants"]):
        pytest.skip("no published design has a 3MF: the manifest predates the 3MF export")
    checked = 0
    for slug in slugs:
        design = sc.load_design(REPO / "designs", slug, manifest, LANGUAGES)
        printed = [v for v in design.variants
                   if (v.get("figures") or {}).get("print", {}).get("available")]
        wanted = [(v, ".3mf") for v in printed]
        wanted += [(v, ext) for ext in PRINTABLE.get(slug, ()) if ext != ".3mf"
                   for v in design.variants]
        if ".3mf" in PRINTABLE.get(slug, ()):
            assert printed, f"{slug}: no variant with print figures"
        for lang in LANGUAGES:
            md = sc.design_markdown(design, lang)
            for v, ext in wanted:
                assert f'href="../../downloads/{slug}/{v["variant"]}{ext}"' in md, (slug, lang)
                checked += 1
    if not checked:
        pytest.skip("the hub publishes no design with a printable download")
