"""The site's content functions (scripts/sitegen/), checked on their output."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sitegen as sc
import sitelangs

REPO = Path(__file__).resolve().parents[2]
# The languages the fake design is loaded in (it has English and French texts)...
LANGS = ["fr", "en", "ar"]
# ...every language of the hub under test (a fork's in CI's second pass)...
LANGUAGES = sitelangs.HUB
# ...and those with every language a catalog ships, for the words of the site.
WORDS = sitelangs.WORDS


# ----------------------------------------------------------------------------- design page

@pytest.fixture
def page_en(fake_design):
    return sc.design_markdown(fake_design, "en")


def test_design_page_has_a_status_badge(page_en):
    assert ('- **Review status**: <span class="usine-badge usine-badge--community">'
            "Community use</span>") in page_en


def test_design_page_has_status_and_its_meaning(page_en):
    assert '!!! info "Review status: Community use"' in page_en
    assert "Tested by the community for fit and reliability" in page_en


def test_design_page_has_the_not_certified_notice_before_the_downloads(page_en):
    notice = page_en.index('!!! danger "Not certified for"')
    assert page_en[notice:].startswith(
        '!!! danger "Not certified for"\n\n    contact with patients\' skin or airways.\n')
    assert notice < page_en.index("## Variants") < page_en.index("## Downloads")


@pytest.mark.parametrize("status", sc.STATUSES)
@pytest.mark.parametrize("lang", WORDS)
def test_every_status_has_a_label_and_meaning_in_every_language(fake_design, status, lang):
    fake_design.built = {**fake_design.built, "status": status}
    md = sc.design_markdown(fake_design, lang)
    label = sc.ui(lang)[f"status_{status}"]
    assert f'!!! {sc.STATUS_ADMONITION[status]} "{sc.ui(lang)["review_status"]}: {label}"' in md
    assert sc.ui(lang)[f"status_{status}_help"] in md


def test_design_page_links_every_file_once_with_size_and_sha256(fake_design, page_en):
    rows = re.findall(r"<tr><td><a href=.*?</tr>", page_en)
    for variant in fake_design.variants:
        for kind, info in variant["files"].items():
            name = info["path"].rsplit("/", 1)[1]
            link = f'<a href="../../downloads/{info["path"]}" download="{name}" dir="ltr">{name}</a>'
            found = [row for row in rows if link in row]
            assert len(found) == 1, f"{info['path']}: {len(found)} links"
            assert f"<code>{info['sha256']}</code>" in found[0]
            assert f'<td dir="ltr">{sc.human_size(info["bytes"], "en")}</td>' in found[0]
    assert len(rows) == 8
    assert "[checksum file](../downloads/demo-clip/SHA256SUMS)" in page_en


def test_download_files_are_every_manifest_file(fake_design):
    listed = sc.download_files(fake_design)
    assert len(listed) == 8
    assert ("demo-clip/10.stl", "downloads/demo-clip/10.stl", 250) in listed


def test_design_page_shows_the_drawing_licence_and_version(page_en):
    # The preview's still drawing is the default variant's (the first, without defaults).
    assert ('<img class="usine-preview-still" src="../../downloads/demo-clip/10.svg" '
            'alt="Drawing of variant 10">') in page_en
    assert "[CC-BY-SA-4.0](https://spdx.org/licenses/CC-BY-SA-4.0.html)" in page_en
    assert "- **Version**: 0.2.0" in page_en


def test_variant_table_has_a_column_per_varying_parameter(page_en):
    lines = page_en.splitlines()
    head = lines[lines.index("## Variants") + 2]
    assert head == "| Variant | width | Size (mm) | Print time | Checks |"
    assert ('| `10` | 10 | <span dir="ltr">10.0 × 5.0 × 3.0</span> '
            '| 31 min 24 s | passed |') in lines
    assert '| `20` | 20 | <span dir="ltr">20.0 × 5.0 × 3.0</span> |  | passed |' in lines
    # Every parameter is listed once with its value(s).
    params = lines[lines.index("## Parameters"):]
    assert params[2] == "| Parameter | Value |"
    assert {"| width | 10, 20 |", "| thickness | 2 |", "| rounded | true |"} <= set(params)


def test_described_parameters_get_titles_ranges_and_docs(fake_design):
    fake_design.built = {**fake_design.built, "parameters": [
        {"name": "width", "title": "Width", "unit": "mm", "default": 20, "min": 5,
         "max": 50, "choices": None, "doc": "Clip width."},
        {"name": "thickness", "title": "Thickness", "unit": "mm", "default": 2.0,
         "min": 1.5, "max": None, "choices": None, "doc": "Wall."},
        {"name": "rounded", "title": "Rounded", "unit": "", "default": True, "min": None,
         "max": None, "choices": [True, False], "doc": "Round edges."}]}
    md = sc.design_markdown(fake_design, "fr")
    lines = md.splitlines()
    assert "| Variante | Width (mm) | Dimensions (mm) | Temps d'impression | Contrôles |" in lines
    assert ('| Width (mm) | 10, 20 | de <span dir="ltr">5 mm</span> à <span dir="ltr">50 mm</span>'
            ' | <span lang="en" dir="ltr">Clip width.</span> |') in lines
    assert '| Thickness (mm) | 2 | ≥ <span dir="ltr">1.5 mm</span> |' in md
    assert "| Rounded | true | true, false |" in md
    # The drawing is the variant closest to the defaults (width 20), not the first.
    assert 'class="usine-preview-still" src="../../downloads/demo-clip/20.svg"' in md


def test_variant_that_failed_its_checks_is_flagged(fake_design):
    fake_design.variants = [{**fake_design.variants[0], "ok": False}, fake_design.variants[1]]
    assert "**FAILED**" in sc.design_markdown(fake_design, "en")


def test_instructions_are_nested_under_their_heading(page_en):
    section = page_en[page_en.index("## Instructions"):page_en.index("## Downloads")]
    assert "### Printing" in section and "#### Assembly" in section
    assert "\n# not a heading\n" in section  # code blocks are left alone


def test_bill_of_materials(page_en):
    assert "| 1 | pc | Printed clip |" in page_en


def test_translated_design_page_has_no_fallback_note(fake_design):
    md = sc.design_markdown(fake_design, "fr")
    assert sc.ui("fr")["untranslated"] not in md
    assert "# Clip de démo" in md and "### Impression" in md
    assert '!!! danger "Non certifié pour"' in md and "la peau ou les voies respiratoires" in md


def test_missing_translation_falls_back_to_english_with_a_note(fake_design):
    md = sc.design_markdown(fake_design, "ar")
    assert md.count(sc.ui("ar")["untranslated"]) == 2  # texts of design.toml, instructions
    assert "contact with patients' skin or airways." in md
    assert '<div lang="en" dir="ltr" markdown>' in md  # English marked as English
    assert "### Printing" in md


def test_sizes_follow_the_language():
    assert sc.human_size(1_234_567, "fr") == "1,2 Mo"
    assert sc.human_size(1_234_567, "en") == "1.2 MB"
    assert sc.human_size(999, "en") == "999 B"


def test_checksums_file_is_sha256sum_format(fake_design):
    lines = sc.checksums_text(fake_design).splitlines()
    assert len(lines) == 8
    info = fake_design.variants[0]["files"]["stl"]
    assert f"{info['sha256']}  10.stl" in lines


def test_shift_headings():
    assert sc.shift_headings("## A\n### B\n", 3) == "### A\n#### B\n"
    assert sc.shift_headings("###### deep\n# top\n", 3) == "###### deep\n### top\n"
    assert sc.shift_headings("no headings\n", 3) == "no headings\n"


# ----------------------------------------------------------------------------- inputs

def test_missing_manifest_says_how_to_build_it(tmp_path):
    with pytest.raises(sc.SiteError, match=r"python -m cad build"):
        sc.load_manifest(tmp_path / "manifest.json")


def test_published_designs_follow_hub_toml():
    manifest = {"designs": {"a": {}, "b": {}}, "variants": []}
    assert sc.published_slugs({"designs": {"publish": ["*"]}}, manifest) == ["a", "b"]
    assert sc.published_slugs({"designs": {"publish": ["b", "c"]}}, manifest) == ["b"]


# ----------------------------------------------------------------------------- hub config

HUB = {"hub": {"regions": ["Northshire", "Southdale"], "contact_email": "c@example.org"},
       "stages": {"local": {"api_base_url": "http://127.0.0.1:8001"},
                  "prod": {"api_base_url": "https://api.example.org/"}}}


def test_api_base_url_from_stage_and_env():
    assert sc.api_base_url(HUB, {}) == "http://127.0.0.1:8001"
    assert sc.api_base_url(HUB, {"USINE_STAGE": "prod"}) == "https://api.example.org"
    assert sc.api_base_url(HUB, {"USINE_STAGE": "prod",
                                 "USINE_API_BASE_URL": "http://127.0.0.1:5/"}) \
        == "http://127.0.0.1:5"
    with pytest.raises(sc.SiteError, match="stages.dev"):
        sc.api_base_url(HUB, {"USINE_STAGE": "dev"})


def test_hub_config_js(fake_design):
    config = sc.hub_config(HUB, [fake_design], "fr", {})
    regions = [{"id": "Northshire", "name": "Northshire"}, {"id": "Southdale", "name": "Southdale"}]
    assert config == {"apiBaseUrl": "http://127.0.0.1:8001", "regions": regions,
                      "designs": [{"slug": "demo-clip", "title": "Clip de démo"}],
                      "lang": "fr", "contactEmail": "c@example.org"}
    js = sc.hub_config_js(config)
    assert js.count("window.USINE = {") == 1 and js.rstrip().endswith("};")
    assert "Clip de d\\u00e9mo" in js  # ASCII only: safe whatever the served charset


# ----------------------------------------------------------------------------- form

class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: dict[str, dict] = {}
        self.labels: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self.ids: list[str] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.controls[a["name"]] = {"tag": tag, **a}
        if tag == "select":
            self._select = a["name"]
            self.options[a["name"]] = []
        if tag == "option" and self._select:
            self.options[self._select].append(a.get("value"))
        if tag == "label":
            self.labels.add(a.get("for"))


CONTRACT_FIELDS = ["organization.name", "organization.type", "contact.name", "contact.email",
                   "contact.phone", "delivery.region", "delivery.postcode", "delivery.address",
                   "items.0.design", "items.0.quantity", "needed_by", "notes", "consent"]


@pytest.mark.parametrize("lang", WORDS)
def test_form_has_every_contract_field_with_a_label(lang):
    design = sc.Design("demo-clip", {"title": {"en": "Demo clip"}}, {}, [])
    ctx = sc.SiteContext(lang, {"hub": {"regions": ["Northshire", "Southdale"]}}, [design])
    html = sc.request_form_html(lang, ctx)
    parser = FormParser()
    parser.feed(html)
    assert sorted(parser.controls) == sorted(CONTRACT_FIELDS)
    for name, control in parser.controls.items():
        assert control["id"] in parser.labels, f"{name} has no label"
        assert f'id="{control["id"]}-error"' in html, f"{name} has no error slot"
    assert len(parser.ids) == len(set(parser.ids)), "duplicate ids"
    assert parser.options["delivery.region"] == ["", "Northshire", "Southdale"]
    assert parser.options["items.0.design"] == ["", "demo-clip"]
    assert parser.options["organization.type"] == ["", *sc.ORG_TYPES]
    assert parser.controls["consent"]["type"] == "checkbox"
    assert parser.controls["needed_by"]["type"] == "date"
    q = parser.controls["items.0.quantity"]
    assert (q["type"], q["min"], q["max"]) == ("number", "1", "100000")
    assert 'aria-live="polite"' in html and 'role="alert"' in html


def test_form_words_exist_in_every_language():
    for lang in WORDS:
        for form in sc.lang.FORMS:
            assert set(sc.form_words(lang, form)) == set(sc.form_words("en", form)), lang
        assert set(sc.ui(lang)) == set(sc.ui("en")), lang


# ----------------------------------------------------------------------------- hand-written pages

SITE_PAGES = {"index.md", "make.md", "request.md", "coordinate.md", "fork.md", "safety.md",
              "about.md"}  # the short hand-written pages of issue 5


def test_the_site_pages_are_written_in_every_language():
    for lang in LANGUAGES:
        pages = {rel: fell_back for rel, _, fell_back in sc.handwritten_pages(REPO / "docs", lang)}
        assert SITE_PAGES <= set(pages), lang
        assert not [rel for rel in SITE_PAGES if pages[rel]], lang
        assert sc.marker("request-form") in (REPO / "docs" / lang / "request.md").read_text()


def test_every_english_page_exists_in_every_language_translated_or_not():
    english = {rel for rel, _, _ in sc.handwritten_pages(REPO / "docs", "en")}
    for lang in LANGUAGES:
        assert {rel for rel, _, _ in sc.handwritten_pages(REPO / "docs", lang)} == english


def test_untranslated_page_falls_back_to_english(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "fr").mkdir()
    (tmp_path / "en" / "index.md").write_text("# Home\n\nHello.\n")
    (tmp_path / "en" / "extra.md").write_text("# Extra\n\nMore.\n")
    (tmp_path / "fr" / "index.md").write_text("# Accueil\n\nBonjour.\n")
    pages = sc.handwritten_pages(tmp_path, "fr")
    assert [(rel, src.parent.name, fb) for rel, src, fb in pages] == [
        ("extra.md", "en", True), ("index.md", "fr", False)]
    out = sc.fallback_page("# Extra\n\nMore.\n", "fr")
    assert out.startswith("# Extra\n")
    assert out.index('!!! note "Pas encore traduit"') < out.index("More.")
    assert 'lang="en"' in out


def test_nav_order_and_catalog_section():
    nav = sc.nav("fr", ["safety.md", "index.md", "zzz.md", "request.md"], ["demo-clip"])
    assert nav == [{"Accueil": "index.md"},
                   {"Modèles": "designs/index.md"},
                   {"Par technique": [{"Impression 3D (FDM)": "technology/fdm.md"},
                                      {"Découpe laser": "technology/laser.md"}]},
                   "request.md", "safety.md", "zzz.md"]


def test_nav_lists_every_handwritten_page_in_order():
    pages = ["about.md", "coordinate.md", "fork.md", "index.md", "make.md", "request.md",
             "safety.md", "signup.md", "status.md"]
    nav = sc.nav("en", pages, [])
    flat = [p for p in nav if isinstance(p, str)]
    assert flat == ["make.md", "request.md", "signup.md", "status.md", "coordinate.md",
                    "fork.md", "safety.md", "about.md"]


def test_laser_design_in_english_only(fake_hub):
    manifest = sc.load_manifest(Path(fake_hub["USINE_MANIFEST"]))
    panel = sc.load_design(Path(fake_hub["USINE_DESIGNS_DIR"]), "demo-panel", manifest, LANGS)
    md = sc.design_markdown(panel, "fr")
    assert '!!! danger "Statut de revue: Avertissement"' in md
    assert md.count('!!! danger "') == 2  # the status (Warning) and the notice
    assert "any medical use." in md and sc.ui("fr")["untranslated"] in md
    assert sc.ui("fr")["no_instructions"] in md
    assert 'href="../../downloads/demo-panel/a4.dxf"' in md and "DXF (découpe laser)" in md
    assert "## Nomenclature" not in md  # no bill of materials given
    catalog = sc.catalog_markdown([panel], "fr")
    assert 'data-technology="laser" data-status="warning"' in catalog
    assert "Découpe laser" in catalog and "Avertissement" in catalog
