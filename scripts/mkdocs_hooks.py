"""MkDocs hooks of every build (mkdocs.yml `hooks`; scripts/build_site.py gives the
per-language configs this file's absolute path): changes to each page's rendered HTML
that Markdown cannot express. The functions themselves live in sitegen (tested alone)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.files import Files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen as sc  # noqa: E402


def on_page_content(html: str, page, config, **_kwargs) -> str:
    """Every table in a focusable region that names it (sitegen/tables.py). With shared
    downloads (on_files), the Markdown links MkDocs checked and made relative to the
    language's downloads/ climb one folder more, to the site's (raw HTML links are
    written that way by sitegen.download_href)."""
    html = sc.focusable_tables(html)
    if config.extra.get("shared_downloads"):
        up = "../" * page.file.url.lstrip("/").count("/")
        html = re.sub(rf'\b(href|src)="{re.escape(up)}{sc.DOWNLOADS_DIR}/',
                      rf'\1="{up}{sc.SHARED_ROOT}{sc.DOWNLOADS_DIR}/', html)
    return html


def on_files(files: Files, config, **_kwargs) -> Files:
    """With extra.shared_downloads (set by build_site.py), the files gen_pages.py writes
    under downloads/ go to the site's root, once for all languages. The preview of
    mkdocs.yml alone keeps them in its own folder."""
    if config.extra.get("shared_downloads"):
        for file in files:
            if file.src_uri.startswith(sc.DOWNLOADS_DIR + "/") and not file.is_documentation_page():
                file.dest_uri = sc.SHARED_ROOT + file.src_uri
    return files


def on_post_page(output: str, config, **_kwargs) -> str:
    """<html lang> names the page's language even when Material's strings are English
    (a language Material has no translation for: build_site.theme_language)."""
    lang = config.extra.get("lang")
    if lang and lang != config.theme["language"]:
        output = output.replace(f'<html lang="{config.theme["language"]}"', f'<html lang="{lang}"', 1)
    return output
