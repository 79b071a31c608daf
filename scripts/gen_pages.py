"""Pages and files generated into each language's site (run by mkdocs-gen-files).

Writes: the catalog (designs/index.md), one page per design (designs/<slug>.md), every
file those pages offer (downloads/<slug>/<variant>.<ext>, copied from build/, plus a
SHA256SUMS per design), assets/hub-config.js, the shared assets of docs/assets/, English
stand-ins for untranslated hand-written pages, and the request form inside any page
holding the form marker. The words come from site_content.py (tested on their own).

Inputs (defaults relative to the repository): USINE_HUB_CONFIG (hub.toml),
USINE_MANIFEST (build/manifest.json; file paths in it are relative to its folder),
USINE_DESIGNS_DIR (designs/), USINE_STAGE / USINE_API_BASE_URL (where the forms post).
The language is the build's theme.language.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_content as sc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HUB = Path(os.environ.get("USINE_HUB_CONFIG") or ROOT / "hub.toml")
MANIFEST = Path(os.environ.get("USINE_MANIFEST") or ROOT / "build" / "manifest.json")
DESIGNS = Path(os.environ.get("USINE_DESIGNS_DIR") or ROOT / "designs")

lang = mkdocs_gen_files.config.theme["language"]
hub = sc.load_hub(HUB)
manifest = sc.load_manifest(MANIFEST)
designs = [sc.load_design(DESIGNS, slug, manifest, hub["hub"]["languages"])
           for slug in sc.published_slugs(hub, manifest)]


def write(path: str, text: str) -> None:
    with mkdocs_gen_files.open(path, "w") as out:
        out.write(text)


def copy(source: Path, path: str) -> None:
    with source.open("rb") as src, mkdocs_gen_files.open(path, "wb") as out:
        shutil.copyfileobj(src, out)


def copy_download(source: Path, path: str, expected_bytes: int | None) -> None:
    if not source.is_file() or expected_bytes not in (None, source.stat().st_size):
        raise sc.SiteError(f"{source} is missing or differs from {MANIFEST}: "
                           f"rebuild the designs with `python -m cad build`")
    copy(source, path)


# Shared CSS/JS: the same files in every language's site.
for source in sorted((DOCS / "assets").rglob("*")):
    if source.is_file():
        copy(source, source.relative_to(DOCS).as_posix())

write("assets/hub-config.js", sc.hub_config_js(sc.hub_config(hub, designs, lang, os.environ)))

# Hand-written pages: English stand-ins for missing translations; the form where marked.
form = sc.request_form_html(lang, hub["hub"]["regions"],
                            [(d.slug, d.text("title", lang)[0] or d.slug) for d in designs])
for rel, source, fell_back in sc.handwritten_pages(DOCS, lang):
    text = source.read_text(encoding="utf-8")
    if fell_back or sc.FORM_MARKER in text:
        text = sc.fallback_page(text, lang) if fell_back else text
        write(rel, sc.with_request_form(text, form))

# The catalog, the design pages and their downloads.
write(sc.CATALOG_PAGE, sc.catalog_markdown(designs, lang))
for design in designs:
    write(sc.design_page_path(design.slug), sc.design_markdown(design, lang))
    for built, path, size in sc.download_files(design):
        copy_download(MANIFEST.parent / built, path, size)
    write(sc.checksums_path(design), sc.checksums_text(design))
