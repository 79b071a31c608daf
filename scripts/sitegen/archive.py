"""The zip of a whole design: every variant's files, the checksum file and the design's
source folder. Deterministic (fixed dates, sorted names): the same inputs give the same
bytes, so its SHA-256 only changes when a file does."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .downloads import DOWNLOADS_DIR, checksums_text, variant_files
from .inputs import Design

EPOCH = (1980, 1, 1, 0, 0, 0)
SKIP = {"__pycache__", ".pytest_cache"}


@dataclass(frozen=True)
class Archive:
    path: str      # in the site
    data: bytes

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def archive_path(design: Design) -> str:
    version = design.built.get("version") or design.meta.get("version") or "0"
    return f"{DOWNLOADS_DIR}/{design.slug}/{design.slug}-{version}.zip"


def _source_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and not SKIP & set(p.relative_to(folder).parts)
                  and not p.name.startswith(".") and p.suffix != ".pyc")


def design_archive(design: Design, build_dir: Path, design_dir: Path) -> Archive:
    """`build_dir` holds the manifest's file paths; `design_dir` is designs/<slug>."""
    entries: dict[str, bytes] = {}
    for info in variant_files(design):
        entries[f"{design.slug}/{info['path'].split('/', 1)[-1]}"] = \
            (Path(build_dir) / info["path"]).read_bytes()
    entries[f"{design.slug}/SHA256SUMS"] = checksums_text(design).encode()
    for path in _source_files(design_dir):
        entries[f"{design.slug}/source/{path.relative_to(design_dir).as_posix()}"] = \
            path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return Archive(archive_path(design), buffer.getvalue())
