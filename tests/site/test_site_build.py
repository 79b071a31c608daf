"""The built site: strict builds of every language, links, downloads, no third-party
resource, right-to-left Arabic.

Two sites are checked: one built from a small fake hub (always available, fast) and one
from the repository's real designs (needs build/manifest.json; the `real_manifest`
fixture runs `python -m cad build` when it is missing).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import build_site
import hub_under_test
import sitegen as sc

REPO = Path(__file__).resolve().parents[2]
# The hub under test's languages (a fork's in CI's second pass): the first is the default.
LANGUAGES = hub_under_test.hub().languages


@pytest.fixture(params=["fake", "real"])
def site(request) -> Path:
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture
def site_manifest(request, site) -> dict:
    """The manifest of the designs the site publishes (hub.toml's [designs] publish: the
    fake hub publishes all of its own, a fork only some of the repository's)."""
    if "fake" in request.node.callspec.id:
        env = request.getfixturevalue("fake_hub")
        path, hub = Path(env["USINE_MANIFEST"]), Path(env["USINE_HUB_CONFIG"])
    else:
        path, hub = request.getfixturevalue("real_manifest"), hub_under_test.PATH
    manifest = json.loads(path.read_text())
    slugs = set(sc.published_slugs(sc.load_hub(hub), manifest))
    assert slugs, "the hub publishes no design"
    return {**manifest, "designs": {s: d for s, d in manifest["designs"].items() if s in slugs},
            "variants": [v for v in manifest["variants"] if v.get("design") in slugs]}


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


class Resources(HTMLParser):
    """Every URL a page makes the browser fetch (not the links a person follows)."""

    FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon",
                          "shortcut", "apple-touch-icon", "manifest", "preconnect",
                          "dns-prefetch"}

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.body_dir = None
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "body":
            self.body_dir = a.get("dir")
        if tag == "link" and set((a.get("rel") or "").lower().split()) & self.FETCHING_LINK_RELS:
            self.urls.append((tag, a.get("href") or ""))
        for attr in ("src", "srcset", "data", "poster"):
            if a.get(attr) and tag != "a":
                self.urls.append((tag, a[attr]))
        if a.get("style") and "url(" in a["style"]:
            self.urls.append((tag, a["style"]))


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


# ----------------------------------------------------------------------------- structure

def test_every_language_is_built_with_its_pages(site):
    for lang in LANGUAGES:
        for page in ("index.html", "request.html", "safety.html", "designs/index.html",
                     "assets/hub-config.js", "404.html"):
            assert (site / lang / page).is_file(), f"{lang}/{page}"


def test_root_redirects_to_the_default_language(site):
    html = (site / "index.html").read_text()
    default = LANGUAGES[0]
    assert f'content="0; url={default}/index.html"' in html
    for lang in LANGUAGES:
        assert f'href="{lang}/index.html"' in html


def test_pages_declare_language_and_direction(site):
    for lang in LANGUAGES:
        for page in html_pages(site / lang):
            parser = Resources()
            parser.feed(page.read_text())
            assert parser.html_lang == lang, page
            expected = sc.text_direction(lang)  # Babel's: "rtl" for Arabic
            assert parser.body_dir == expected, page


def test_language_switcher_links_the_same_page_in_every_language(site):
    for shown in LANGUAGES:
        for page in ("designs/index.html", "safety.html"):
            html = (site / shown / page).read_text()
            up = "../" * page.count("/")
            for lang in LANGUAGES:
                assert f'href="{up}../{lang}/{page}" hreflang="{lang}" lang="{lang}"' in html, \
                    (shown, page, lang)


def test_hub_config_per_language(site):
    for lang in LANGUAGES:
        js = (site / lang / "assets" / "hub-config.js").read_text()
        config = json.loads(js.split("window.USINE = ", 1)[1].rstrip().rstrip(";"))
        assert config["lang"] == lang
        assert config["apiBaseUrl"] == "http://127.0.0.1:8001"  # stage local
        assert config["regions"] and config["designs"]


def test_request_page_holds_the_form(site):
    for lang in LANGUAGES:
        html = (site / lang / "request.html").read_text()
        assert 'data-usine-form="request"' in html
        assert sc.marker("request-form") not in html
        assert "assets/javascripts/request-form.js" in html


def test_every_handwritten_and_technology_page_is_built(site):
    for lang in LANGUAGES:
        for page in ("make.html", "coordinate.html", "fork.html", "about.html",
                     "technology/fdm.html", "technology/laser.html"):
            assert (site / lang / page).is_file(), f"{lang}/{page}"
        nav = (site / lang / "index.html").read_text()
        for page in ("make.html", "fork.html", "about.html", "technology/fdm.html"):
            assert f'href="{page}"' in nav, (lang, page)  # in the navigation


def test_design_pages_load_the_picker_but_not_the_viewer(site, site_manifest):
    """The 3D viewer (~1 MB) is loaded by design.js on demand, never by the page itself."""
    for lang in LANGUAGES:
        assert (site / lang / "assets/vendor/model-viewer/model-viewer.min.js").is_file()
        for slug in site_manifest["designs"]:
            html = (site / lang / "designs" / f"{slug}.html").read_text()
            assert "assets/javascripts/design.js" in html
            assert 'data-viewer="../assets/vendor/model-viewer/model-viewer.min.js"' in html
            assert '<script src="../assets/vendor/model-viewer' not in html


def test_instruction_images_are_published(fake_site):
    # The fake design's instructions are English (with a drawing) and French (without):
    # every other language of the hub shows the English ones.
    english = [lang for lang in LANGUAGES if lang != "fr"]
    if not english:
        pytest.skip("every language of the hub shows the French instructions (no drawing)")
    for lang in english:
        html = (fake_site / lang / "designs" / "demo-clip.html").read_text()
        assert 'src="demo-clip/drawings/clip.svg"' in html
        assert (fake_site / lang / "designs" / "demo-clip" / "drawings" / "clip.svg").is_file()


def test_each_design_has_its_zip_listed_with_its_sha256(site, site_manifest):
    for slug in site_manifest["designs"]:
        zips = sorted((site / "downloads" / slug).glob("*.zip"))
        assert len(zips) == 1, slug
        digest = hashlib.sha256(zips[0].read_bytes()).hexdigest()
        for lang in LANGUAGES:
            html = (site / lang / "designs" / f"{slug}.html").read_text()
            assert f'href="../../downloads/{slug}/{zips[0].name}"' in html and digest in html


def test_search_works_from_file_urls(site):
    """Material's offline plugin: the index as a script, the worker shim vendored."""
    for lang in LANGUAGES:
        assert (site / lang / "search" / "search_index.js").read_text().startswith("var __index")
        html = (site / lang / "index.html").read_text()
        assert '<script src="assets/vendor/iframe-worker/shim.js"></script>' in html


def test_openapi_document_is_published_when_the_api_provides_it(site):
    sys.path.insert(0, str(REPO / "serverless"))
    try:
        from chalicelib.openapi import openapi_document
    except ImportError:
        pytest.skip("serverless/chalicelib/openapi.py does not provide openapi_document yet")
    expected = openapi_document()  # built here without the site's hub/manifest inputs
    for lang in LANGUAGES:
        published = json.loads((site / lang / "api" / "openapi.json").read_text())
        assert published["openapi"] == expected["openapi"]
        assert set(published["paths"]) == set(expected["paths"])


# ----------------------------------------------------------------------------- downloads

def test_every_download_is_in_every_language_and_intact(site, site_manifest):
    variants = site_manifest["variants"]
    assert variants
    for lang in LANGUAGES:
        for variant in variants:
            page = (site / lang / "designs" / f"{variant['design']}.html").read_text()
            for info in variant["files"].values():
                path = site / "downloads" / info["path"]
                assert f'href="../../downloads/{info["path"]}"' in page
                assert path.stat().st_size == info["bytes"], path
        # Hash one language's copies (the others are the same copies).
    for variant in variants:
        for info in variant["files"].values():
            data = (site / "downloads" / info["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == info["sha256"], info["path"]


def test_design_pages_carry_status_and_notice(site, site_manifest):
    for lang in LANGUAGES:
        w = sc.ui(lang)
        for slug, built in site_manifest["designs"].items():
            html = (site / lang / "designs" / f"{slug}.html").read_text()
            assert f'{w["review_status"]}: {sc.status_label(built["status"], lang)}' in html
            assert f'<p class="admonition-title">{w["not_certified"]}</p>' in html


# ----------------------------------------------------------------------------- links

def test_every_link_resolves(site, tmp_path):
    """linkchecker over file:// URLs (as a USB stick is browsed): every page, download and
    anchor of every language, from the root redirect page."""
    config = tmp_path / "linkcheckerrc"
    config.write_text("[AnchorCheck]\n")
    linkchecker = Path(sys.executable).with_name("linkchecker")
    result = subprocess.run(
        [str(linkchecker), "--config", str(config), "--no-status", "--output", "csv",
         "--recursion-level", "20", (site / "index.html").as_uri()],
        capture_output=True, text=True, timeout=600)
    problems = [line for line in result.stdout.splitlines()
                if line and not line.startswith(("#", "urlname;"))]
    assert result.returncode == 0 and not problems, "\n".join(problems) + result.stderr[-2000:]


def test_no_third_party_resource(site):
    """No page or stylesheet makes the browser fetch anything outside the site."""
    offenders = []
    for page in html_pages(site):
        parser = Resources()
        parser.feed(page.read_text())
        offenders += [(str(page.relative_to(site)), tag, url) for tag, url in parser.urls
                      if any(is_external(u.split()[0]) for u in url.split(",") if u.strip())]
        # Inline styles and scripts must not pull in remote resources either.
        text = page.read_text()
        offenders += [(str(page.relative_to(site)), "inline", m)
                      for m in re.findall(r"@import\s+url\(\s*['\"]?https?:[^)]*\)", text)]
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text()):
            if is_external(url):
                offenders.append((str(css.relative_to(site)), "css", url))
    assert not offenders


def test_nothing_fetches_google_fonts_or_cdns(site):
    for page in html_pages(site):
        text = page.read_text()
        for host in ("fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "cdn.jsdelivr"):
            assert host not in text, (page, host)


# ----------------------------------------------------------------------------- failures

def test_missing_manifest_fails_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("USINE_MANIFEST", str(tmp_path / "nope" / "manifest.json"))
    assert build_site.main(["--site-dir", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert "python -m cad build" in err
    assert not (tmp_path / "site" / "index.html").exists()


def test_broken_link_fails_the_strict_build(fake_hub, tmp_path, monkeypatch):
    """A design whose instructions link to a missing file stops the (strict) build."""
    import shutil
    designs = tmp_path / "designs"
    shutil.copytree(fake_hub["USINE_DESIGNS_DIR"], designs)
    # Every language's instructions (whichever the default language shows) link to it.
    for instructions in (designs / "demo-clip").glob("instructions.*.md"):
        instructions.write_text("See [this](missing.md).\n")
    for key, value in {**fake_hub, "USINE_DESIGNS_DIR": str(designs)}.items():
        monkeypatch.setenv(key, value)
    from mkdocs.exceptions import Abort
    with pytest.raises(Abort, match="strict"):
        build_site.build(tmp_path / "site", [LANGUAGES[0]])


def test_a_language_without_pages_gets_english_ones_with_a_note(fake_hub, tmp_path,
                                                                  monkeypatch):
    """A fork that adds a language to hub.toml gets a complete site before translating."""
    hub_toml = Path(fake_hub["USINE_HUB_CONFIG"]).read_text()
    from chalicelib import catalog
    assert "es" not in LANGUAGES and not (catalog.LOCALES_DIR / "es.toml").exists()
    line = re.compile(r"(?m)^languages = .*$")
    assert len(line.findall(hub_toml)) == 1
    hub = tmp_path / "hub.toml"
    hub.write_text(line.sub("languages = " + json.dumps([*LANGUAGES, "es"]), hub_toml))
    for key, value in {**fake_hub, "USINE_HUB_CONFIG": str(hub)}.items():
        monkeypatch.setenv(key, value)
    build_site.build(tmp_path / "site", ["es"])
    for page in ("index.html", "request.html", "safety.html"):
        html = (tmp_path / "site" / "es" / page).read_text()
        assert '<html lang="es"' in html
        assert sc.ui("en")["untranslated"] in html, page
    assert 'data-usine-form="request"' in (tmp_path / "site" / "es" / "request.html").read_text()
    assert 'href="es/index.html"' in (tmp_path / "site" / "index.html").read_text()


def test_strip_indentation_keeps_preformatted_text():
    from build_site import strip_indentation
    page = ("<div>\n    <p>a</p>\n\n \n  <pre><code>\n  keep\n\n    this</code></pre>\n  "
            "<textarea>\n  too\n\n</textarea>\n  <b>")
    assert strip_indentation(page) == (
        "<div>\n<p>a</p>\n<pre><code>\n  keep\n\n    this</code></pre>\n<textarea>\n  too\n\n"
        "</textarea>\n<b>")


def test_strip_js_comments_keeps_the_code_and_refuses_template_strings():
    from build_site import strip_js_comments
    script = ("// header\n(function () {\n  /* a\n     b */\n  var u = 'http://x//y'; // kept\n"
              "    f(u);\n})();\n")
    assert strip_js_comments(script) == (
        "(function () {\nvar u = 'http://x//y'; // kept\nf(u);\n})();\n")
    with pytest.raises(sc.SiteError, match="template string"):
        strip_js_comments("var s = `a\n  b`;\n")


def test_every_script_of_ours_still_parses_once_stripped(tmp_path):
    import shutil
    import subprocess

    from build_site import ROOT, strip_js_comments
    node = shutil.which("node")
    assert node, "node (installed with npm by scripts/setup.sh) is needed to parse scripts"
    for source in sorted((ROOT / "docs" / "assets" / "javascripts").glob("*.js")):
        stripped = tmp_path / source.name
        stripped.write_text(strip_js_comments(source.read_text(encoding="utf-8")), encoding="utf-8")
        done = subprocess.run([node, "--check", str(stripped)], capture_output=True, text=True)
        assert done.returncode == 0, f"{source.name}: {done.stderr}"


def test_strip_css_comments_keeps_the_rules():
    from build_site import strip_css_comments
    css = "/* a\n   b */\n:root {\n  --x: #fff;\n}\n\n/* c */\n.a { color: red; } /* d */\n"
    assert strip_css_comments(css) == ":root {--x: #fff;}.a { color: red; }\n"
