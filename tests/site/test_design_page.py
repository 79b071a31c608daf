"""A design page's variant block, figures, fits, zip, changelog, and the by-technology
pages (scripts/sitegen/), checked on their output."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hub_under_test
import sitegen as sc
import sitelangs
from fakehub import CUT_A4, PRINT_10

LANGS = ["fr", "en", "ar"]  # the languages the fake designs are loaded in
LANGUAGES = sitelangs.WORDS  # the hub under test's (a fork's in CI) and the catalogs'


class Block(HTMLParser):
    """Panels, picker selects and preview of a design page's variant block."""

    def __init__(self):
        super().__init__()
        self.panels: list[dict] = []
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self.picker_hidden = None
        self.preview: dict = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "div" and "usine-variant" in cls.split():
            self.panels.append({**a, "links": [], "hidden": "hidden" in a,
                                "default": "data-default" in a})
        elif self.panels and tag == "a":
            self.panels[-1]["links"].append(a["href"])
        elif tag == "form" and "data-usine-picker" in a:
            self.picker_hidden = "hidden" in a
        elif tag == "select":
            self._select = a["data-param"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append((a["value"], "selected" in a))
        elif tag == "figure":
            self.preview["figure"] = a
        elif tag == "img" and "usine-preview-still" in cls:
            self.preview["img"] = a
        elif tag == "button" and "usine-preview-load" in cls:
            self.preview["button_hidden"] = "hidden" in a

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def block_of(md: str) -> Block:
    parser = Block()
    parser.feed(md)
    return parser


@pytest.fixture
def designs(fake_hub):
    manifest = sc.load_manifest(Path(fake_hub["USINE_MANIFEST"]))
    return {slug: sc.load_design(Path(fake_hub["USINE_DESIGNS_DIR"]), slug, manifest, LANGS)
            for slug in ("demo-clip", "demo-panel")}


# ----------------------------------------------------------------------------- variant block

def test_one_panel_per_variant_all_shown_without_javascript_the_default_marked(designs):
    block = block_of(sc.design_markdown(designs["demo-clip"], "en"))
    assert [p["data-variant"] for p in block.panels] == ["10", "20"]
    assert [p["hidden"] for p in block.panels] == [False, False]
    assert [p["default"] for p in block.panels] == [True, False]
    assert [json.loads(p["data-params"]) for p in block.panels] == [{"width": "10"},
                                                                    {"width": "20"}]


def test_panels_link_their_own_files_and_preview_urls_are_relative_to_the_page(designs):
    block = block_of(sc.design_markdown(designs["demo-clip"], "en"))
    for panel in block.panels:
        v = panel["data-variant"]
        assert panel["links"] == [f"../../downloads/demo-clip/{v}.{k}"
                                  for k in ("stl", "glb", "svg", "step")]
        assert panel["data-glb"] == f"../../downloads/demo-clip/{v}.glb"
        assert panel["data-svg"] == f"../../downloads/demo-clip/{v}.svg"


def test_picker_has_a_select_per_varying_parameter_and_starts_hidden(designs):
    block = block_of(sc.design_markdown(designs["demo-clip"], "fr"))
    assert block.selects == {"width": [("10", True), ("20", False)]}
    assert block.picker_hidden is True  # design.js shows it; without JS: the default panel


def test_preview_is_the_drawing_with_a_hidden_3d_button_naming_the_download_size(designs):
    extras = sc.PageExtras(viewer_bytes=1_000_000)
    md = sc.design_markdown(designs["demo-clip"], "en", extras)
    block = block_of(md)
    assert block.preview["figure"]["data-viewer"] == \
        "../assets/vendor/model-viewer/model-viewer.min.js"
    assert block.preview["img"]["src"] == "../../downloads/demo-clip/10.svg"
    assert block.preview["button_hidden"] is True
    glb = designs["demo-clip"].variants[0]["files"]["glb"]["bytes"]
    assert f"Show in 3D ({sc.human_size(1_000_000 + glb, 'en')})" in md


def test_a_single_variant_gets_no_picker(designs):
    block = block_of(sc.design_markdown(designs["demo-panel"], "en"))
    assert block.picker_hidden is None and len(block.panels) == 1
    assert not block.panels[0]["hidden"] and block.panels[0]["default"]
    assert "data-glb" not in block.panels[0]  # no GLB: no 3D button either
    assert "button_hidden" not in block.preview


def test_the_variant_block_has_no_blank_line(designs):
    """Markdown would end the raw HTML block at a blank line and mangle the rest."""
    md = sc.design_markdown(designs["demo-clip"], "ar")
    start = md.index('<div class="usine-design"')
    end = md.index("</div>\n", md.rindex('class="usine-variant"')) + 6
    assert "\n\n" not in md[start:end].strip()


# ----------------------------------------------------------------------------- figures

def test_print_figures_with_profile():
    rows = dict(sc.figure_rows({"print": PRINT_10}, "en"))
    assert rows["Print time"] == '31 min 24 s'
    assert rows["Filament"] == '<span dir="ltr">7.7 g · 6.14 cm³</span>'
    assert rows["Measured with"] == '<span dir="ltr">reference-fdm.ini, PrusaSlicer 2.5.0</span>'
    assert "Parts per print" not in rows  # one part per print: said once, by the time
    assert "Filament per part" not in rows


def test_durations_read_right_to_left_in_arabic():
    rows = dict(sc.figure_rows({"print": PRINT_10}, "ar"))
    assert rows["مدة الطباعة"] == "31 د 24 ث"  # no dir="ltr": the units are Arabic words


def test_stacked_print_shows_time_per_part():
    fig = {**PRINT_10, "time_s": 7200, "units": 4, "time_per_unit_s": 1800,
           "filament_per_unit_cm3": 1.54}
    rows = dict(sc.figure_rows({"print": fig}, "fr"))
    assert rows["Filament par pièce"] == '<span dir="ltr">1,54 cm³</span>'
    assert rows["Temps d'impression"] == '2 h 00 min'
    assert rows["Pièces par impression"] == "4"
    assert rows["Temps par pièce"] == '30 min 00 s'


def test_unavailable_print_says_why():
    rows = sc.figure_rows({"print": {"available": False, "reason": "no slicer"}}, "en")
    assert rows == [("Print time", "Not measured (no slicer)")]


def test_cut_and_nest_figures_in_french():
    rows = dict(sc.figure_rows({"cut": CUT_A4, "nest": {"stock_mm": [600, 400],
                                                         "parts_per_sheet": 12,
                                                         "efficiency": 0.81}}, "fr"))
    assert rows["Longueur de découpe"] == '<span dir="ltr">1,23 m</span>'
    assert rows["Amorçages"] == "5"
    assert rows["Temps de découpe"] == '1 min 38 s'
    assert rows["Plaque"] == '<span dir="ltr">600 × 400 mm</span>'
    assert rows["Pièces par plaque"] == "12"
    assert rows["Matière utilisée"] == '<span dir="ltr">81 %</span>'


def test_unknown_figures_are_still_shown_under_readable_names_never_keys():
    rows = dict(sc.figure_rows({"print": {**PRINT_10, "layer_count": 40},
                                "experimental": {"flex_mm": 0.5}, "score": 3}, "en"))
    assert rows["Layer count"] == '<span dir="ltr">40</span>'
    assert rows["Flex (mm)"] == '<span dir="ltr">0.5</span>'
    assert rows["Score"] == '<span dir="ltr">3</span>'
    assert not any("." in label or "_" in label for label in rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stiffness_figures_have_words_in_every_language(lang):
    rows = dict(sc.figure_rows({"stiffness": {"second_moment_mm4": 120.5,
                                              "second_moment_sag_mm4": 80.25, "axis": "z"}},
                               lang))
    w = sc.ui(lang)
    assert {w["fig_second_moment"], w["fig_second_moment_sag"], w["fig_axis"]} == set(rows)


@pytest.mark.parametrize("seconds, text", [(38, "38 s"), (65, "1 min 05 s"),
                                           (3600, "1 h 00 min"), (5489.6, "1 h 31 min")])
def test_durations(seconds, text):
    assert sc.duration(seconds, "en") == text


def test_panel_shows_its_variant_figures(designs):
    md = sc.design_markdown(designs["demo-clip"], "en")
    first, second = md.split('data-variant="20"')
    assert "31 min 24 s" in first and "reference-fdm.ini" in first
    assert "Not measured (prusa-slicer is not installed)" in second
    assert "123.4 mm⁴" in second and "Flex (mm)" in second and "experimental.flex_mm" not in second


def test_no_3d_view_for_a_glb_over_the_preview_budget(designs):
    d = designs["demo-clip"]
    d.variants[1]["files"]["glb"]["bytes"] = sc.PREVIEW_GLB_MAX + 1
    block = block_of(sc.design_markdown(d, "en"))
    assert "data-glb" in block.panels[0] and "data-glb" not in block.panels[1]
    assert "button_hidden" in block.preview  # variant 10 still has its 3D view
    d.variants[0]["files"]["glb"]["bytes"] = sc.PREVIEW_GLB_MAX + 1
    assert "button_hidden" not in block_of(sc.design_markdown(d, "en")).preview
    # The heavy GLB is still offered for download.
    assert 'href="../../downloads/demo-clip/20.glb"' in sc.design_markdown(d, "en")


def test_figures_measured_alike_are_stated_once(designs):
    d = designs["demo-clip"]
    d.variants[1]["figures"] = {"print": dict(PRINT_10, time_s=2000)}
    md = sc.design_markdown(d, "en")
    assert md.count("reference-fdm.ini, PrusaSlicer 2.5.0") == 1
    assert ('<p class="usine-measured">Measured with: <span dir="ltr">reference-fdm.ini, '
            'PrusaSlicer 2.5.0</span></p>') in md
    assert "33 min 20 s" in md and "31 min 24 s" in md


def test_figures_alike_in_every_variant_are_stated_once_above_the_panels(designs):
    d = designs["demo-clip"]
    stiffness = {"second_moment_mm4": 664.1, "axis": "vertical"}
    d.variants[0]["figures"] = {"print": dict(PRINT_10), "stiffness": dict(stiffness)}
    d.variants[1]["figures"] = {"print": dict(PRINT_10, time_s=2000),
                                "stiffness": dict(stiffness)}
    md = sc.design_markdown(d, "en")
    w = sc.ui("en")
    axis = f'{w["fig_axis"]}: <span dir="ltr">vertical</span>'
    moment = f'{w["fig_second_moment"]}: <span dir="ltr">664.1 mm⁴</span>'
    assert md.count("664.1 mm⁴") == 1 and md.count(">vertical<") == 1
    (line,) = [x for x in md.splitlines() if axis in x]
    assert line.startswith('<p class="usine-measured">') and moment in line
    assert md.index(line) < md.index('class="usine-variant"')
    # The profile is still stated first, apart; what differs stays in each panel.
    assert md.index('<p class="usine-measured">Measured with: ') < md.index(line)
    first, second = md.split('data-variant="20"')
    assert "31 min 24 s" in first.split(line)[1] and "33 min 20 s" in second
    assert f'<th scope="row">{w["fig_axis"]}</th>' not in md
    # A panel all of whose figures are stated above is not said to have none.
    d.variants[1]["figures"] = {"print": dict(PRINT_10), "stiffness": dict(stiffness)}
    md = sc.design_markdown(d, "en")
    assert w["figures_none"] not in md and "31 min 24 s" in md


def test_variant_parameters_are_json_in_a_single_quoted_attribute(designs):
    d = designs["demo-clip"]
    d.variants[0]["params"] = {**d.variants[0]["params"], "width": "it's \"<10>\" & more"}
    md = sc.design_markdown(d, "en")
    panel = re.search(r"<div class=\"usine-variant\" data-variant=\"10\" data-params='([^']*)'",
                      md).group(1)
    assert "&#34;" not in panel and '"width":' in panel
    assert "&#39;" in panel and "&lt;10&gt;" in panel and "&amp; more" in panel
    assert json.loads(block_of(md).panels[0]["data-params"])["width"] == 'it\'s "<10>" & more'


def test_numbers_are_right_aligned_in_a_left_to_right_page_only(designs):
    """Right is where a cell starts in a right-to-left page (Material aligns cells so):
    there the numbers' columns carry no style attribute on each cell."""
    d = designs["demo-clip"]
    d.meta = {**d.meta, "bom": [{"quantity": 1, "unit": "pc", "item": {"en": "Clip"}}]}
    for lang in dict.fromkeys([*LANGUAGES, "en", "ar"]):
        md = sc.design_markdown(d, lang, published={"demo-clip", "demo-panel"})
        numeric = "---" if sc.text_direction(lang) == "rtl" else "---:"
        assert f"|---|---|---|{numeric}|{numeric}|" in md.splitlines(), lang
        assert f"|{numeric}|---|---|" in md.splitlines(), lang


# ----------------------------------------------------------------------------- fits, files

def test_fits_are_listed_and_link_published_designs(designs):
    md = sc.design_markdown(designs["demo-clip"], "en", published={"demo-clip", "demo-panel"})
    assert "## Which parts fit" in md
    assert ('| `20` | [demo-panel · a4](demo-panel.md) | fits | <span dir="ltr">0.1 mm</span> '
            '| <span dir="ltr">0.4 mm</span> |') in md
    unpublished = sc.design_markdown(designs["demo-clip"], "en", published={"demo-clip"})
    assert "(demo-panel.md)" not in unpublished


def test_a_failed_fit_is_flagged(designs):
    d = designs["demo-clip"]
    d.variants[1]["fits"] = [{**d.variants[1]["fits"][0], "ok": False}]
    assert "**DOES NOT FIT**" in sc.design_markdown(d, "en")


def test_no_fits_no_section(designs):
    assert "## Which parts fit" not in sc.design_markdown(designs["demo-panel"], "en")


def test_files_are_labelled_by_their_format(designs):
    md = sc.design_markdown(designs["demo-panel"], "en")
    row = re.search(r'<tr><td><a href="../../downloads/demo-panel/a4.cut.dxf".*?</tr>', md).group(0)
    assert "<td>DXF (laser cutter)</td>" in row
    assert sc.file_format("cut.dxf", {}) == "dxf"
    assert sc.file_format("template.svg", {"format": "SVG"}) == "svg"


def test_instruction_images_are_published_beside_the_page(designs, tmp_path):
    d = designs["demo-clip"]
    d.instructions = {"en": "# Steps\n\n![Step 1](img/step-1.svg)\n\n"
                            "![Logo](https://example.org/x.png) [Home](../index.md)\n"}
    md = sc.design_markdown(d, "en")
    assert "![Step 1](demo-clip/img/step-1.svg)" in md
    assert "![Logo](https://example.org/x.png)" in md and "[Home](../index.md)" in md
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "step-1.svg").write_text("<svg/>")
    (tmp_path / "design.toml").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.png").write_text("")
    assert sc.instruction_images(tmp_path) == [tmp_path / "img" / "step-1.svg"]


# ----------------------------------------------------------------------------- zip

def test_design_zip_holds_every_file_checksums_and_source(designs, fake_hub):
    d = designs["demo-clip"]
    build = Path(fake_hub["USINE_MANIFEST"]).parent
    source = Path(fake_hub["USINE_DESIGNS_DIR"]) / "demo-clip"
    archive = sc.design_archive(d, build, source)
    assert archive.path == "downloads/demo-clip/demo-clip-0.2.0.zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {f"demo-clip/{v}.{k}" for v in ("10", "20") for k in ("stl", "glb", "svg", "step")} \
            <= set(names)
        assert {"demo-clip/SHA256SUMS", "demo-clip/source/design.toml",
                "demo-clip/source/instructions.en.md"} <= set(names)
        for v in d.variants:
            for info in v["files"].values():
                data = zf.read(f"demo-clip/{info['path'].split('/', 1)[1]}")
                assert hashlib.sha256(data).hexdigest() == info["sha256"]
        assert zf.read("demo-clip/SHA256SUMS").decode() == sc.checksums_text(d)
    assert archive.sha256 == hashlib.sha256(archive.data).hexdigest()


def test_design_zip_is_reproducible(designs, fake_hub):
    args = (designs["demo-clip"], Path(fake_hub["USINE_MANIFEST"]).parent,
            Path(fake_hub["USINE_DESIGNS_DIR"]) / "demo-clip")
    assert sc.design_archive(*args).data == sc.design_archive(*args).data


def test_page_offers_the_zip_with_size_and_sha256(designs, fake_hub):
    d = designs["demo-clip"]
    archive = sc.design_archive(d, Path(fake_hub["USINE_MANIFEST"]).parent,
                                Path(fake_hub["USINE_DESIGNS_DIR"]) / "demo-clip")
    md = sc.design_markdown(d, "en", sc.PageExtras(archive=archive))
    assert ("- [demo-clip-0.2.0.zip](../downloads/demo-clip/demo-clip-0.2.0.zip)"
            '{ download="demo-clip-0.2.0.zip" dir="ltr" }') in md
    assert f"`{archive.sha256}`" in md


# ----------------------------------------------------------------------------- changelog

def git_in(folder: Path):
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_AUTHOR_DATE": "2026-03-01T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-03-01T10:00:00Z", "HOME": str(folder)}

    def git(*args):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=env)
    return git


def test_changelog_from_git_history_of_the_folder(tmp_path):
    git = git_in(tmp_path)
    (tmp_path / "design").mkdir()
    (tmp_path / "other").mkdir()
    git("init", "-q")
    (tmp_path / "design" / "a.txt").write_text("1")
    git("add", ".")
    git("commit", "-q", "-m", "Add the design")
    (tmp_path / "other" / "b.txt").write_text("1")
    git("add", ".")
    git("commit", "-q", "-m", "Unrelated | change")
    (tmp_path / "design" / "a.txt").write_text("2")
    git("commit", "-q", "-am", "Widen the pegs | by 0.2 mm")
    changes = sc.parse_log(sc.git_log(tmp_path / "design"))
    assert [c.subject for c in changes] == ["Widen the pegs | by 0.2 mm", "Add the design"]
    assert changes[0].date == "2026-03-01" and len(changes[0].commit) >= 7
    md = sc.changelog_markdown(changes, "en")
    assert "| Date | Change |" in md and "Widen the pegs \\| by 0.2 mm" in md


def test_changelog_without_git_says_so(tmp_path):
    assert sc.git_log(tmp_path) is None  # not a checkout
    assert sc.git_log(tmp_path / "missing") is None
    md = sc.changelog_markdown(None, "fr")
    assert sc.ui("fr")["changelog_none"] in md and md.startswith("## Modifications")


def test_changelog_of_an_uncommitted_design_says_so(tmp_path):
    git = git_in(tmp_path)
    git("init", "-q")
    (tmp_path / "README").write_text("hub")
    git("add", ".")
    git("commit", "-q", "-m", "Start")
    (tmp_path / "new-design").mkdir()
    (tmp_path / "new-design" / "design.toml").write_text("")
    assert sc.parse_log(sc.git_log(tmp_path / "new-design")) == []
    assert sc.ui("ar")["changelog_empty"] in sc.changelog_markdown([], "ar")


# ----------------------------------------------------------------------------- parameters

def test_the_parameters_table_describes_in_the_pages_language(real_manifest):
    """On a real published design's page, a parameter's description is design.toml's
    [parameters.<name>.doc] in the page's language, not the model's English doc."""
    repo = Path(__file__).resolve().parents[2]
    hub = sc.load_hub(hub_under_test.PATH)
    manifest = sc.load_manifest(real_manifest)
    langs = hub["hub"]["languages"]
    shown = 0
    for slug in sc.published_slugs(hub, manifest):
        design = sc.load_design(repo / "designs", slug, manifest, langs)
        english = {p["name"]: p.get("doc") for p in design.built.get("parameters") or []}
        in_table = {n for v in design.variants for n in v.get("params", {})}
        pages = {lang: sc.design_markdown(design, lang).splitlines()
                 for lang in langs if lang != "en"}
        for name, texts in (design.meta.get("parameters") or {}).items():
            doc = texts.get("doc") if isinstance(texts, dict) else None
            if not (isinstance(doc, dict) and english.get(name) and name in in_table):
                continue
            for lang in (lang for lang in pages if doc.get(lang)):
                title = sc.cell(sc.design_page.param_titles(design, lang)[name])
                row = next(line for line in pages[lang] if line.startswith(f"| {title} |"))
                assert sc.cell(doc[lang]) in row, (slug, name, lang)
                assert sc.cell(english[name]) not in row, (slug, name, lang)
                shown += 1
    if not shown:
        pytest.skip("no published design describes a parameter in a language of this hub")


# ----------------------------------------------------------------------------- technology

PROFILE = "[print]\nlayer_height = 0.3\nperimeters = 2\nfill_density = 20%\nsecret = 1\n"


def test_fdm_page_gives_the_profile_settings_and_the_printed_designs(designs):
    ds = list(designs.values())
    md = sc.technology_markdown("fdm", ds, "en", {"reference-fdm.ini": PROFILE})
    assert md.startswith("# 3D printing (FDM)\n")
    assert "| `layer_height` | <span dir=\"ltr\">0.3</span> |" in md
    assert "| `fill_density` | <span dir=\"ltr\">20%</span> |" in md
    assert "secret" not in md
    assert "[reference-fdm.ini](../downloads/profiles/reference-fdm.ini)" in md
    assert "### [Demo clip](../designs/demo-clip.md)" in md
    assert "[`10`](../designs/demo-clip.md)" in md and "31 min 24 s" in md
    assert "| thickness | 2 |" in md and "| rounded | true |" in md  # every parameter
    assert "Demo panel" not in md


def test_laser_page_gives_the_cut_reference_and_the_cut_designs(designs):
    md = sc.technology_markdown("laser", list(designs.values()), "fr")
    assert md.startswith("# Découpe laser\n")
    assert "25 mm/s, 0.5 s per pierce" in md
    assert "### [Demo panel](../designs/demo-panel.md)" in md and "Demo clip" not in md
    assert "Temps de découpe" in md  # the variants table's time column


def test_missing_profile_is_said(designs):
    md = sc.technology_markdown("fdm", list(designs.values()), "en", {})
    assert "`reference-fdm.ini`: The reference profile is not shipped with this hub." in md


def test_a_technology_without_designs_says_so():
    assert sc.ui("ar")["no_designs"] in sc.technology_markdown("laser", [], "ar")
    assert sc.technologies([]) == ["fdm", "laser"]
