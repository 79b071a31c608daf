"""Build the site: one MkDocs build per language of hub.toml into site/<lang>/.

    python scripts/build_site.py [--site-dir site] [--languages fr,en] [--no-strict]

Each language gets a generated config (in a temporary folder) that INHERITs mkdocs.yml
and sets the docs folder, theme language, nav and language switcher; then
site/index.html redirects to the default language (the first of hub.toml). The designs
must be built first (`python -m cad build`). Environment: USINE_STAGE / USINE_API_BASE_URL
choose where the forms post; USINE_HUB_CONFIG, USINE_MANIFEST, USINE_DESIGNS_DIR point at
other inputs (tests); all are read by gen_pages.py inside the build.
"""

from __future__ import annotations

import argparse
import json
import re
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import material

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen as sc  # noqa: E402
import vendor_assets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def lang_config(lang: str, languages: list[str], hub: dict, slugs: list[str],
                site_dir: Path, empty_docs: Path, techs: list[str] | None = None) -> dict:
    """The per-language config (JSON is valid YAML). Paths are absolute because the file
    lives outside the repository."""
    docs_dir = ROOT / "docs" / lang
    site_url = hub["hub"].get("site_url")
    pages = [rel for rel, _, _ in sc.handwritten_pages(ROOT / "docs", lang)]
    techs = techs or list(sc.TECHNOLOGIES)
    return {
        "INHERIT": str(ROOT / "mkdocs.yml"),
        "site_name": hub["hub"].get("name", "Usine"),
        "copyright": footer_html(hub),
        **({"site_url": site_url.rstrip("/") + f"/{lang}/"} if site_url else {}),
        "docs_dir": str(docs_dir if docs_dir.is_dir() else empty_docs),
        "site_dir": str(site_dir / lang),
        # Material's strings in the language when it has them (English otherwise, with a
        # warning); the direction from the locale. gen_pages.py reads the language from
        # extra.lang, the hooks put it on <html lang>.
        "theme": {"language": theme_language(lang), "direction": sc.text_direction(lang),
                  "custom_dir": str(ROOT / "docs" / "overrides")},
        "plugins": {"gen-files": {"scripts": [str(ROOT / "scripts" / "gen_pages.py")]}},
        "hooks": [str(ROOT / "scripts" / "mkdocs_hooks.py")],
        "nav": sc.nav(lang, pages, slugs, techs),
        "extra": {"lang": lang, "shared_downloads": True, "alternate": [
            # Relative to the site root; MkDocs makes them relative to each page. `base`
            # + the page's path is the same page in that language (our alternate.html).
            {"name": sc.language_name(other), "lang": other,
             "link": f"../{other}/index.html", "base": f"../{other}/"}
            for other in languages]},
    }


MATERIAL_LANGUAGES = Path(material.__file__).parent / "templates" / "partials" / "languages"


def theme_language(lang: str) -> str:
    """The language of Material's own strings (search, navigation...): the hub's language
    when Material has a translation for it, else English, with a warning."""
    if (MATERIAL_LANGUAGES / f"{lang}.html").is_file():
        return lang
    print(f"build_site: warning: Material for MkDocs has no translation for {lang!r}; "
          f"its theme strings are in English", file=sys.stderr)
    return "en"


def footer_html(hub: dict) -> str:
    """The footer of every page: the hub's name and contact address."""
    return sc.render_template("footer.html", name=hub["hub"].get("name", "Usine"),
                     email=hub["hub"].get("contact_email", "")).strip()


def compact_search_index(site_lang: Path) -> None:
    """Rewrite the search index (loaded by every page) as UTF-8 instead of \\u escapes:
    Arabic text takes a third of the bytes. The offline plugin's copy (search_index.js,
    used from file://) is rewritten the same way."""
    index = site_lang / "search" / "search_index.json"
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    index.write_text(text, encoding="utf-8")
    script = index.with_suffix(".js")
    if script.is_file():
        script.write_text(f"var __index = {text}", encoding="utf-8")


_KEEP_WHITESPACE = re.compile(r"(<(pre|textarea)\b[\s\S]*?</\2>)")
_INDENT = re.compile(r"\n\s+")  # indentation, and the blank lines templates leave


def strip_indentation(page: str) -> str:
    """Drop the indentation of every line and the blank lines, except inside <pre> and
    <textarea> where whitespace is content. Browsers render the same; the pages lose a
    tenth of their bytes."""
    parts = _KEEP_WHITESPACE.split(page)
    # split() with two groups yields [text, block, tag name, text, block, tag name, ...]
    return "".join(_INDENT.sub("\n", part) if i % 3 == 0 else part if i % 3 == 1 else ""
                   for i, part in enumerate(parts))


def compact_html(site_lang: Path) -> None:
    for page in site_lang.rglob("*.html"):
        page.write_text(strip_indentation(page.read_text(encoding="utf-8")), encoding="utf-8")


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_BREAK = re.compile(r"\s*\n\s*")
_CSS_AFTER = re.compile(r"([{};,])\n")


def strip_css_comments(css: str) -> str:
    """Our stylesheet without its comments, indentation and the line breaks after { } ;
    and , (Material's is minified). The comments explain the rules in docs/assets/; each
    page need not load them."""
    text = _CSS_BREAK.sub("\n", _CSS_COMMENT.sub("", css)).strip()
    return _CSS_AFTER.sub(r"\1", text) + "\n"


def compact_css(site_lang: Path) -> None:
    for sheet in (site_lang / "assets" / "stylesheets").glob("usine*.css"):
        sheet.write_text(strip_css_comments(sheet.read_text(encoding="utf-8")), encoding="utf-8")


_JS_COMMENT_LINE = re.compile(r"^[ \t]*//[^\n]*\n", re.M)
_JS_COMMENT_BLOCK = re.compile(r"^[ \t]*/\*[\s\S]*?\*/[ \t]*\n", re.M)
_JS_INDENT = re.compile(r"^[ \t]+", re.M)


def strip_js_comments(script: str) -> str:
    """Our scripts without the comments that stand on lines of their own, nor indentation
    (the comments explain the code in docs/assets/; each page need not load them). Only
    whole-line comments go, so a "//" inside a string is never touched; a template string
    (backquotes), where indentation is content, is refused."""
    script = _JS_COMMENT_BLOCK.sub("", _JS_COMMENT_LINE.sub("", script))
    if "`" in script:
        raise sc.SiteError("a script of docs/assets/javascripts/ holds a template string "
                           "(`...`): strip_js_comments would change its text")
    return _JS_INDENT.sub("", script)


def compact_js(site_lang: Path) -> None:
    ours = {p.name for p in (ROOT / "docs" / "assets" / "javascripts").glob("*.js")}
    for script in (site_lang / "assets" / "javascripts").glob("*.js"):
        if script.name in ours:
            script.write_text(strip_js_comments(script.read_text(encoding="utf-8")),
                              encoding="utf-8")


def redirect_html(hub: dict, languages: list[str]) -> str:
    return sc.render_template("redirect.html", default=languages[0], name=hub["hub"].get("name", "Usine"),
                     languages=[(lang, sc.language_name(lang)) for lang in languages]) + "\n"


def build(site_dir: Path, languages: list[str] | None = None, strict: bool = True) -> dict:
    """Build the given languages (default: all of hub.toml); returns seconds per language.
    Raises SiteError for missing inputs and mkdocs' Abort when a strict build warns."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    hub = sc.load_hub(Path(os.environ.get("USINE_HUB_CONFIG") or ROOT / "hub.toml"))
    manifest = sc.load_manifest(Path(os.environ.get("USINE_MANIFEST")
                                     or ROOT / "build" / "manifest.json"))
    all_langs = hub["hub"]["languages"]
    unknown = set(languages or []) - set(all_langs)
    if unknown:
        raise sc.SiteError(f"not a language of hub.toml: {', '.join(sorted(unknown))}")
    slugs = sc.published_slugs(hub, manifest)
    techs = sc.technologies([sc.Design(s, {}, manifest["designs"][s], []) for s in slugs])
    try:
        vendor_assets.ensure()  # the vendored viewer and search shim, from node_modules/
    except vendor_assets.VendorError as err:
        raise sc.SiteError(str(err)) from None
    site_dir = Path(site_dir).resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    if not languages:  # a full build: the shared downloads/ anew (no stale file kept)
        shutil.rmtree(site_dir / sc.DOWNLOADS_DIR, ignore_errors=True)
    timings = {}
    with tempfile.TemporaryDirectory(prefix="usine-site-") as tmp:
        empty_docs = Path(tmp) / "empty-docs"
        empty_docs.mkdir()
        for lang in languages or all_langs:
            started = time.perf_counter()
            path = Path(tmp) / f"mkdocs.{lang}.yml"
            config = lang_config(lang, all_langs, hub, slugs, site_dir, empty_docs, techs)
            path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
            mkdocs_build(load_config(config_file=str(path), strict=strict))
            # Material ships source maps (1.3 MB per language): not needed on a USB stick.
            for source_map in (site_dir / lang / "assets").rglob("*.map"):
                source_map.unlink()
            compact_search_index(site_dir / lang)
            compact_html(site_dir / lang)
            compact_css(site_dir / lang)
            compact_js(site_dir / lang)
            timings[lang] = time.perf_counter() - started
    (site_dir / "index.html").write_text(redirect_html(hub, all_langs), encoding="utf-8")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", default=str(ROOT / "site"))
    parser.add_argument("--languages", help="comma-separated subset of hub.toml's languages")
    parser.add_argument("--no-strict", action="store_true", help="do not fail on warnings")
    args = parser.parse_args(argv)

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)

    from mkdocs.exceptions import Abort
    languages = args.languages.split(",") if args.languages else None
    try:
        timings = build(Path(args.site_dir), languages, strict=not args.no_strict)
    except sc.SiteError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    except Abort as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    for lang, seconds in timings.items():
        print(f"built {lang} in {seconds:.1f} s -> {Path(args.site_dir) / lang}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
