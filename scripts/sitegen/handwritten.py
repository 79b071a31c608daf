"""Hand-written pages of docs/<lang>/, with English stand-ins for missing translations."""

from __future__ import annotations

from pathlib import Path

from .markdown import in_english, untranslated_note
from .lang import FALLBACK_LANG


def handwritten_pages(docs_root: Path, lang: str) -> list[tuple[str, Path, bool]]:
    """Hand-written pages of a language: (path in the site, source file, fell back to
    English?). A page of docs/en/ that docs/<lang>/ lacks is taken from English."""
    found: dict[str, tuple[Path, bool]] = {}
    for source_lang in (FALLBACK_LANG, lang):
        folder = Path(docs_root) / source_lang
        if folder.is_dir():
            for path in sorted(folder.rglob("*.md")):
                found[path.relative_to(folder).as_posix()] = (path, source_lang != lang)
    return [(rel, src, fb) for rel, (src, fb) in sorted(found.items())]


def fallback_page(markdown: str, lang: str) -> str:
    """An English hand-written page standing in for a missing translation: a visible note
    right after its title."""
    lines = markdown.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    body = in_english("\n".join(lines[at:]).strip(), True)
    return "\n".join([*lines[:at], "", untranslated_note(lang), body])

