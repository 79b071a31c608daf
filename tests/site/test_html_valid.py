"""Every built page is valid HTML: the Nu HTML Checker (vnu-jar from package-lock.json,
run by the system's Java) reports no error, except the few listed below that come from
Material for MkDocs' own templates; and the theme overrides change no more of Material's
markup than they say."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import material
import pytest

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MATERIAL = Path(material.__file__).parent / "templates"

# (the checker's exact message, a fragment of the exact markup it points at, why it is
# Material's and not ours). Each must still occur: a filter that matches nothing fails.
MATERIAL_ERRORS = [
    ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
     "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, "
     "“search”, “tel”, “text”, “time”, “url”, or “week”.",
     'type="checkbox" id="__drawer" autocomplete="off"',
     "Material's base.html: the drawer toggle, a checkbox with autocomplete=off (stops "
     "Firefox from restoring its state); overriding base.html to drop it would fork it."),
    ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
     "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, "
     "“search”, “tel”, “text”, “time”, “url”, or “week”.",
     'type="checkbox" id="__search" autocomplete="off"',
     "Material's base.html: the search toggle, the same checkbox as the drawer's."),
    ("The value of the “for” attribute of the “label” element must be the ID of a "
     "non-hidden form control.",
     '<label class="md-nav__title" for="__toc">',
     "Material's partials/toc.html labels the table-of-contents toggle that "
     "partials/nav-item.html only renders for a page in the navigation; design pages are "
     "reached from the catalog, not the navigation (sitegen/nav.py)."),
]


def vnu_errors(site: Path) -> list[dict]:
    java = shutil.which("java")
    if not java:
        pytest.fail("java is missing: run scripts/setup.sh (Debian openjdk-17-jre-headless)")
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: run scripts/setup.sh (npm ci)")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    assert pages
    run = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--errors-only", *pages],
                         capture_output=True, text=True, timeout=600)
    # vnu writes its JSON report to stderr and exits 1 when it finds an error.
    report = json.loads(run.stderr)
    return [m for m in report["messages"] if m.get("type") != "info"]


def is_material(message: dict) -> int | None:
    """Index in MATERIAL_ERRORS of the filter matching this message, or None."""
    for i, (text, fragment, _why) in enumerate(MATERIAL_ERRORS):
        if message.get("message") == text and fragment in (message.get("extract") or ""):
            return i
    return None


def test_every_page_is_valid_html(fake_site):
    errors = vnu_errors(fake_site)
    used = {is_material(m) for m in errors} - {None}
    ours = [m for m in errors if is_material(m) is None]
    assert not ours, "\n".join(
        f"{(m.get('url') or '?').split(str(fake_site.resolve()))[-1]}:{m.get('lastLine')}: {m.get('message')} [{(m.get('extract') or '').strip()!r}]"
        for m in ours)
    stale = [MATERIAL_ERRORS[i][1] for i in range(len(MATERIAL_ERRORS)) if i not in used]
    assert not stale, f"filters that match nothing any more (remove them): {stale}"


def test_search_override_only_names_the_dialog():
    """docs/overrides/partials/search.html is Material's with one attribute added: a
    Material update that changes its search partial makes this fail (copy it again)."""
    theirs = (MATERIAL / "partials" / "search.html").read_text(encoding="utf-8")
    ours = (REPO / "docs" / "overrides" / "partials" / "search.html").read_text(encoding="utf-8")
    strip = lambda text: text[text.index("-#}") + 3:]  # noqa: E731 - the leading comment
    named = strip(theirs).replace(
        'role="dialog">', 'role="dialog" aria-label="{{ lang.t(\'search\') }}">', 1)
    assert named != strip(theirs)
    assert strip(ours) == named
