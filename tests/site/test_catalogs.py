"""Every word of the site in the shared catalogs (serverless/chalicelib/locales/), and the
missing-strings check (scripts/catalogs.py) for the languages of the hub under test."""

from __future__ import annotations

import io
import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest

import catalogs
import sitegen as sc
from chalicelib import catalog

REPO = Path(__file__).resolve().parents[2]
HUB = Path(os.environ.get("USINE_HUB_CONFIG") or REPO / "hub.toml")
LANGUAGES = tomllib.loads(HUB.read_text(encoding="utf-8"))["hub"]["languages"]


def test_no_string_is_missing_for_the_hubs_languages():
    out = io.StringIO()
    code = catalogs.check(LANGUAGES, catalog.LOCALES_DIR, REPO / "designs", out)
    assert code == 0, out.getvalue()
    for lang in LANGUAGES:
        assert (f"{lang}: 0 missing catalog key(s), 0 missing parameter title(s), "
                f"0 missing parameter doc(s)") in out.getvalue()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalog_holds_a_key_english_lacks(lang):
    assert catalog.unknown_keys(lang) == []


def test_the_check_lists_a_removed_key_and_a_missing_title_and_doc(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(catalog.LOCALES_DIR, locales)
    path = locales / "fr.toml"
    text = path.read_text(encoding="utf-8")
    assert '\nfit_ok = "s\'ajuste"\n' in text
    path.write_text(text.replace('\nfit_ok = "s\'ajuste"\n', "\n"), encoding="utf-8")
    designs = tmp_path / "designs"
    (designs / "clip").mkdir(parents=True)
    (designs / "clip" / "design.toml").write_text(
        '[parameters.width.title]\nfr = "Largeur"\n\n'
        '[parameters.width.doc]\nfr = "Largeur de la pince."\n', encoding="utf-8")
    (designs / "clip" / "model.py").write_text(
        "class P(Params):\n    width: float = param(1.0, doc='d', title='Width')\n"
        "    depth: float = param(2.0, doc='d', title='Depth')\n", encoding="utf-8")
    out = io.StringIO()
    assert catalogs.check(["fr", "en"], locales, designs, out) == 1
    report = out.getvalue()
    assert ("fr: 1 missing catalog key(s), 1 missing parameter title(s), "
            "1 missing parameter doc(s)") in report
    assert "key site.page.fit_ok" in report and "parameter clip: depth" in report
    assert "parameter doc clip: depth" in report
    assert "clip: width" not in report and "en: 0 missing" in report
    # A missing word is shown in English, never as its key.
    assert catalog.text("site.page.fit_ok", "fr", locales) == "fits"


def test_the_check_lists_a_parameter_doc_removed_from_a_real_design(tmp_path):
    """A copy of the repository's designs where one design.toml loses the description
    of one parameter in one language: that one is listed, in that language only."""
    lang = next((l for l in LANGUAGES if l != catalog.FALLBACK_LANGUAGE), None)
    if lang is None:
        pytest.skip("the hub has no language but the fallback")
    designs = tmp_path / "designs"
    removed = None
    for folder in sorted(p for p in (REPO / "designs").iterdir()
                         if (p / "design.toml").is_file()):
        (designs / folder.name).mkdir(parents=True)
        for path in [folder / "design.toml", *folder.glob("*.py")]:
            shutil.copy(path, designs / folder.name / path.name)
        meta = tomllib.loads((folder / "design.toml").read_text(encoding="utf-8"))
        described = [n for n, t in (meta.get("parameters") or {}).items()
                     if isinstance(t, dict) and isinstance(t.get("doc"), dict)
                     and t["doc"].get(lang) and n in catalogs.model_parameters(folder, "doc")]
        if removed is None and described:
            removed = (folder.name, described[0])
    if removed is None:
        pytest.skip(f"no design.toml describes a parameter in {lang}")
    slug, name = removed
    before = catalogs.missing_docs(designs, lang)
    path = designs / slug / "design.toml"
    text = path.read_text(encoding="utf-8")
    table = f"[parameters.{name}.doc]\n"
    start = text.index(table) + len(table)
    line = next(l for l in text[start:].splitlines(keepends=True)
                if re.match(rf"{re.escape(lang)}\s*=", l))
    path.write_text(text[:start] + text[start:].replace(line, "", 1), encoding="utf-8")
    assert lang not in tomllib.loads(path.read_text(encoding="utf-8"))["parameters"][name]["doc"]

    assert sorted(catalogs.missing_docs(designs, lang)) == sorted([*before, f"{slug}: {name}"])
    out = io.StringIO()
    assert catalogs.check(LANGUAGES, catalog.LOCALES_DIR, designs, out) == 1
    report = out.getvalue()
    assert f"  parameter doc {slug}: {name}\n" in report
    assert f"missing parameter title(s), {len(before) + 1} missing parameter doc(s)" in report
    others = [l for l in LANGUAGES if l != lang]
    assert all(f"{slug}: {name}" not in catalogs.missing_docs(designs, l) for l in others)
    assert catalogs.main(["check", "--designs", str(designs),
                          "--languages", ",".join(LANGUAGES)]) == 1


def test_the_check_command_exits_non_zero_for_a_language_without_catalog(capsys):
    assert catalogs.main(["check", "--languages", "xx"]) == 1
    assert "xx:" in capsys.readouterr().out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_parameter_titles_are_in_the_pages_language(lang, real_manifest):
    """Every described parameter of every design the hub publishes is titled in the page's
    language: design.toml's [parameters.<name>.title], the model's own title in English."""
    manifest = sc.load_manifest(real_manifest)
    checked = 0
    for slug in sc.published_slugs(sc.load_hub(HUB), manifest):
        design = sc.load_design(REPO / "designs", slug, manifest, LANGUAGES)
        titles = sc.design_page.param_titles(design, lang)
        for p in design.built.get("parameters") or []:
            given = ((design.meta.get("parameters") or {}).get(p["name"], {})
                     .get("title", {}).get(lang))
            if lang == "en":
                expected = given or p["title"]
            else:
                expected = given
                assert expected, f"{slug}: {p['name']} has no title in {lang}"
            unit = f" ({p['unit']})" if p.get("unit") else ""
            assert titles[p["name"]] == f"{expected}{unit}", (slug, p["name"])
            checked += 1
    if not checked:
        pytest.skip("no published design describes its parameters")


# ----------------------------------------------------------------------------- forms' words

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("form", sc.lang.FORMS)
def test_each_form_carries_its_words_in_the_pages_language(lang, form, fake_design):
    import json
    import re

    ctx = sc.SiteContext(lang, {"hub": {"regions": ["Northshire"], "languages": LANGUAGES}},
                         [fake_design])
    html = {"request": sc.request_form_html, "maker": sc.maker_form_html,
            "status": sc.status_form_html}[form](lang, ctx)
    found = re.search(r'<script type="application/json" id="usine-words">(.*?)</script>',
                      html, re.S)
    words = json.loads(found.group(1))
    assert {k: v for k, v in words.items() if not k.startswith("field.")} \
        == sc.form_words(lang, form)
    assert words["field.missing"] == catalog.text("api.field.missing", lang)
    assert "assets/javascripts/usine-forms.js" in html


def test_the_forms_scripts_hold_no_words():
    """Their words come from the page (usine-words), in the page's language."""
    for name in ("request-form.js", "maker-form.js", "request-status.js", "usine-forms.js"):
        script = (REPO / "docs" / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        for lang in ("fr", "ar"):
            for text in sc.form_words(lang, "request").values():
                assert text not in script, (name, text)
        assert "Sending" not in script and "Envoi" not in script


def test_no_design_page_shows_a_raw_key(real_site):
    import re

    for lang in LANGUAGES:
        for page in (real_site / lang / "designs").glob("*.html"):
            text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ",
                                                    page.read_text(encoding="utf-8"), flags=re.S))
            assert not re.search(r"\b(print|cut|nest|stiffness)\.[a-z0-9]+_[a-z0-9_]+", text), page
            assert "second_moment" not in text and "_mm4" not in text, page


def test_a_parameter_title_missing_in_a_language_is_english_with_the_notice(fake_design):
    built = {**fake_design.built, "parameters": [
        {"name": "width", "title": "Width", "unit": "mm", "doc": "How wide."}]}
    meta = {**fake_design.meta, "parameters": {"width": {"title": {"fr": "Largeur"}}}}
    design = sc.Design("demo-clip", meta, built, fake_design.variants,
                       fake_design.instructions)
    assert sc.design_page.param_titles(design, "fr")["width"] == "Largeur (mm)"
    assert sc.design_page.param_titles(design, "es")["width"] == "Width (mm)"
    notice = sc.ui("fr")["untranslated"]
    assert notice not in sc.design_markdown(design, "fr").split("## ", 1)[0]
    design.meta = {**meta, "parameters": {"width": {"title": {"ar": "العرض"}}}}
    assert sc.design_page.param_titles(design, "fr")["width"] == "Width (mm)"
    assert notice in sc.design_markdown(design, "fr").split("## ", 1)[0]
