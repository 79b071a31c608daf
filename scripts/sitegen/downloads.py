"""The files a design page offers: paths in the site, order, and the checksum file.

Download files keep the manifest's paths under `downloads/`: `downloads/<slug>/<variant>.<ext>`,
written once at the site's root (site/downloads/, beside site/<lang>/) and shared by every
language (scripts/mkdocs_hooks.py moves them there; links from a page climb out of the
language's folder: `../../downloads/...` from designs/<slug>.html). A variant's `files` maps a key (`stl`, `cut.dxf`...) to
{path, bytes, sha256, format}; `format` is the key's last dotted part when absent.
A printed part's `3mf` (PrusaSlicer, with the profile it was measured with) comes right
after its STL, a sheet's PDF punch templates (`template-a4.pdf`...) after its DXF. The
profile itself is one file for the whole site (`downloads/profiles/<name>`, linked from
the print figures).
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .inputs import Design

DOWNLOADS_DIR = "downloads"
SHARED_ROOT = "../"  # from a language's site (site/<lang>/) to the site's root (site/)
PROFILES_DIR = f"{DOWNLOADS_DIR}/profiles"  # slicer profiles the print figures cite
FILE_KINDS = ("stl", "3mf", "dxf", "pdf", "glb", "svg", "step")  # order on a design page


def file_format(key: str, info: Mapping[str, Any]) -> str:
    return str(info.get("format") or key.rsplit(".", 1)[-1]).lower()


def kind_order(kind: str) -> tuple[int, str]:
    return (FILE_KINDS.index(kind) if kind in FILE_KINDS else len(FILE_KINDS), kind)


def sorted_files(variant: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(key, info) of a variant's files, printer/cutter files first."""
    files = variant.get("files") or {}
    return sorted(files.items(), key=lambda item: (kind_order(file_format(*item)), item[0]))


def files_of_format(variant: Mapping[str, Any], fmt: str) -> list[dict[str, Any]]:
    return [info for key, info in sorted_files(variant) if file_format(key, info) == fmt]


def variant_files(design: Design) -> Iterator[dict[str, Any]]:
    for variant in design.variants:
        for _, info in sorted_files(variant):
            yield info


def site_path(info: Mapping[str, Any]) -> str:
    """The file's path in gen_pages.py's output (relative to a language's site)."""
    return f"{DOWNLOADS_DIR}/{info['path']}"


def download_href(info: Mapping[str, Any], depth: int = 1) -> str:
    """The link to a download from a page `depth` folders below its language's root, in
    raw HTML (Markdown links are rewritten by the hooks): the shared copy at the site's
    root. Served over HTTP, the preview of mkdocs.yml alone (no language folder) reaches
    its own downloads/ too, as a URL cannot climb above the server's root."""
    return "../" * depth + SHARED_ROOT + site_path(info)


def download_files(design: Design) -> list[tuple[str, str, int | None]]:
    """(path relative to build/, path in the site, bytes) of every file a design page links."""
    return [(info["path"], site_path(info), info.get("bytes")) for info in variant_files(design)]


def checksums_path(design: Design) -> str:
    return f"{DOWNLOADS_DIR}/{design.slug}/SHA256SUMS"


def checksums_text(design: Design) -> str:
    """A `sha256sum -c` file for the design's downloads (names relative to its folder)."""
    lines = []
    for info in variant_files(design):
        name = info["path"].split("/", 1)[1] if "/" in info["path"] else info["path"]
        lines.append(f"{info['sha256']}  {name}")
    return "\n".join(lines) + "\n"
