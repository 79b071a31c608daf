"""A design's changelog, from the git history of its folder.

`git_log(folder)` runs git (None when git is missing or the folder is not in a checkout:
a hub copied from a zip or a USB stick still builds); `parse_log` and
`changelog_markdown` are pure.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .markdown import cell, ltr, span
from .lang import ui

SEP = "\x1f"
LOG_FORMAT = SEP.join(["%h", "%as", "%s"])
MAX_ENTRIES = 30


@dataclass(frozen=True)
class Change:
    commit: str
    date: str   # YYYY-MM-DD (author date)
    subject: str


def git_log(folder: Path, limit: int = MAX_ENTRIES) -> str | None:
    """`git log` of one folder (its own commits only), or None without git history."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    try:
        result = subprocess.run(
            ["git", "log", f"--max-count={limit}", f"--format={LOG_FORMAT}", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def parse_log(text: str | None) -> list[Change] | None:
    """Changes, newest first; None when there is no history at all."""
    if text is None:
        return None
    out = []
    for line in text.splitlines():
        parts = line.split(SEP)
        if len(parts) == 3:
            out.append(Change(*parts))
    return out


def changelog_markdown(changes: list[Change] | None, lang: str) -> str:
    w = ui(lang)
    out = [f"## {w['changelog']} {{ data-search-exclude }}", ""]
    if not changes:
        empty = "changelog_none" if changes is None else "changelog_empty"
        return "\n".join(out + [w[empty], ""])
    out += [w["changelog_intro"], "", f"| {w['date']} | {w['change']} |", "|---|---|"]
    for c in changes:
        out.append(f"| {ltr(c.date)} | `{c.commit}` {span(cell(c.subject), dir='auto')} |")
    return "\n".join(out) + "\n"
