"""Pages and files generated into each language's site (run by mkdocs-gen-files).

Writes: the catalog (designs/index.md), one page per design (designs/<slug>.md) with the
images its instructions show (designs/<slug>/...), every file those pages offer (downloads/<slug>/<variant>.<ext>, copied from build/), a
SHA256SUMS and a zip of the whole design per design, the by-technology pages
(technology/<tech>.md) with the slicer profile they cite (downloads/profiles/), the API's
OpenAPI document (api/openapi.json) when serverless/chalicelib/openapi.py provides it,
assets/hub-config.js, the shared assets of docs/assets/ (vendored viewer included),
English stand-ins for untranslated hand-written pages, and the forms of pages holding a
marker (sitegen/markers.py). The content comes from the sitegen package (tested on its
own); this script only reads inputs and writes what sitegen returns.

Inputs (defaults relative to the repository): USINE_HUB_CONFIG (hub.toml),
USINE_MANIFEST (build/manifest.json; file paths in it are relative to its folder),
USINE_DESIGNS_DIR (designs/), USINE_STAGE / USINE_API_BASE_URL (where the forms post).
The language is the build's extra.lang (else theme.language).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen as sc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HUB = Path(os.environ.get("USINE_HUB_CONFIG") or ROOT / "hub.toml")
MANIFEST = Path(os.environ.get("USINE_MANIFEST") or ROOT / "build" / "manifest.json")
DESIGNS = Path(os.environ.get("USINE_DESIGNS_DIR") or ROOT / "designs")
VIEWER = DOCS / "assets" / "vendor" / "model-viewer" / "model-viewer.min.js"
# Where a slicer profile named in the figures is looked for (the engine's order).
PROFILE_DIRS = (ROOT.parent / "shared" / "bench", ROOT / "cad" / "profiles")

# build_site.py names the language in extra.lang (theme.language is English for a language
# Material has no strings for); the preview of mkdocs.yml alone has only theme.language.
lang = mkdocs_gen_files.config.extra.get("lang") or mkdocs_gen_files.config.theme["language"]
hub = sc.load_hub(HUB)
manifest = sc.load_manifest(MANIFEST)
designs = [sc.load_design(DESIGNS, slug, manifest, hub["hub"]["languages"])
           for slug in sc.published_slugs(hub, manifest)]


def write(path: str, text: str) -> None:
    with mkdocs_gen_files.open(path, "w") as out:
        out.write(text)


def write_bytes(path: str, data: bytes) -> None:
    with mkdocs_gen_files.open(path, "wb") as out:
        out.write(data)


def copy(source: Path, path: str) -> None:
    with source.open("rb") as src, mkdocs_gen_files.open(path, "wb") as out:
        shutil.copyfileobj(src, out)


def copy_download(source: Path, path: str, expected_bytes: int | None) -> None:
    if not source.is_file() or expected_bytes not in (None, source.stat().st_size):
        raise sc.SiteError(f"{source} is missing or differs from {MANIFEST}: "
                           f"rebuild the designs with `python -m cad build`")
    copy(source, path)


def find_profile(name: str) -> Path | None:
    return next((d / name for d in PROFILE_DIRS if (d / name).is_file()), None)


def openapi_document() -> dict | None:
    """The API's OpenAPI document, if the API package provides one."""
    serverless = str(ROOT / "serverless")
    if serverless not in sys.path:
        sys.path.insert(0, serverless)
    try:
        module = importlib.import_module("chalicelib.openapi")
    except ModuleNotFoundError:
        return None
    if not hasattr(module, "openapi_document"):
        return None
    # The site's copy outlives the day it is built: no date range of that day in it.
    return module.openapi_document(live_dates=False)


# Shared CSS/JS (and the vendored viewer): the same files in every language's site.
for source in sorted((DOCS / "assets").rglob("*")):
    if source.is_file():
        copy(source, source.relative_to(DOCS).as_posix())

write("assets/hub-config.js", sc.hub_config_js(sc.hub_config(hub, designs, lang, os.environ)))

# Hand-written pages: English stand-ins for missing translations; markers (forms) rendered.
context = sc.SiteContext(lang, hub, designs, sc.api_base_url(hub, os.environ))
for rel, source, fell_back in sc.handwritten_pages(DOCS, lang):
    text = source.read_text(encoding="utf-8")
    if fell_back or sc.has_markers(text):
        text = sc.fallback_page(text, lang) if fell_back else text
        write(rel, sc.render_markers(text, context, str(source)))

# The catalog, the design pages, their downloads, checksums and zip.
published = {d.slug for d in designs}
viewer_bytes = VIEWER.stat().st_size if VIEWER.is_file() else None
write(sc.CATALOG_PAGE, sc.catalog_markdown(designs, lang))
for design in designs:
    for built, path, size in sc.download_files(design):
        copy_download(MANIFEST.parent / built, path, size)
    write(sc.checksums_path(design), sc.checksums_text(design))
    for image in sc.instruction_images(DESIGNS / design.slug):  # drawings of the instructions
        copy(image, f"designs/{design.slug}/{image.relative_to(DESIGNS / design.slug).as_posix()}")
    archive = sc.design_archive(design, MANIFEST.parent, DESIGNS / design.slug)
    write_bytes(archive.path, archive.data)
    extras = sc.PageExtras(changes=sc.parse_log(sc.git_log(DESIGNS / design.slug)),
                           archive=archive, viewer_bytes=viewer_bytes)
    write(sc.design_page_path(design.slug), sc.design_markdown(design, lang, extras, published))

# By technology: settings (the slicer profiles the figures cite, published) and designs.
profiles = {}
for name in sc.profiles_used(designs):
    path = find_profile(name)
    if path is not None:
        profiles[name] = path.read_text(encoding="utf-8")
        copy(path, f"{sc.PROFILE_DIR}/{name}")
for tech in sc.technologies(designs):
    write(sc.technology_page_path(tech), sc.technology_markdown(tech, designs, lang, profiles))

# The API's contract, next to the forms that use it.
document = openapi_document()
if document is not None:
    write("api/openapi.json", json.dumps(document, ensure_ascii=False, indent=1) + "\n")
