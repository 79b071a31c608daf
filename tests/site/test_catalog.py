"""The catalog page (scripts/sitegen/catalog.py): cards, facts and filters, on its output."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

import sitegen as sc
import sitelangs

LANGS = ["fr", "en", "ar"]  # the languages the fake designs are loaded in
LANGUAGES = sitelangs.WORDS  # the hub under test's (a fork's in CI) and the catalogs'


class Cards(HTMLParser):
    """The catalog's cards: data attributes, links, images and text of each."""

    def __init__(self):
        super().__init__()
        self.cards: list[dict] = []
        self.options: dict[str, list[str]] = {}
        self._select = None
        self.filters_hidden = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "usine-card" in (a.get("class") or ""):
            self.cards.append({"attrs": a, "links": [], "imgs": [], "text": ""})
        elif self.cards and tag == "a":
            self.cards[-1]["links"].append(a["href"])
        elif self.cards and tag == "img":
            self.cards[-1]["imgs"].append(a["src"])
        elif tag == "form" and "data-usine-filters" in a:
            self.filters_hidden = "hidden" in a
        elif tag == "select":
            self._select = a["data-filter"]
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self.cards:
            self.cards[-1]["text"] += data


def parse(md: str) -> Cards:
    parser = Cards()
    parser.feed(md)
    return parser


@pytest.fixture
def designs(fake_hub):
    manifest = sc.load_manifest(Path(fake_hub["USINE_MANIFEST"]))
    return [sc.load_design(Path(fake_hub["USINE_DESIGNS_DIR"]), slug, manifest, LANGS)
            for slug in ("demo-clip", "demo-panel")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_design_is_a_card_with_its_facts(designs, lang):
    cards = parse(sc.catalog_markdown(designs, lang)).cards
    assert [c["attrs"]["data-technology"] for c in cards] == ["fdm", "laser"]
    assert [c["attrs"]["data-status"] for c in cards] == ["community", "warning"]
    clip, panel = cards
    assert clip["links"] == ["demo-clip.html", "demo-clip.html"]
    title = {"fr": "Clip de démo"}.get(lang, "Demo clip")
    assert title in clip["text"]
    assert sc.status_label("community", lang) in clip["text"]
    assert sc.technology_label("fdm", lang) in clip["text"]
    assert sc.technology_label("laser", lang) in panel["text"]


def test_card_shows_the_drawing_of_the_default_variant(designs):
    clip = parse(sc.catalog_markdown(designs, "en")).cards[0]
    assert clip["imgs"] == ["../../downloads/demo-clip/10.svg"]


def test_card_shows_the_fastest_time(designs):
    clip, panel = parse(sc.catalog_markdown(designs, "en")).cards
    # demo-clip: 1884 s measured on width 10 (width 20 has no slicer figure).
    assert "Fastest print: 31 min 24 s" in clip["text"]
    # demo-panel is laser-cut: its cut time (98 s).
    assert "Fastest cut: 1 min 38 s" in panel["text"]


def test_fastest_prefers_time_per_part():
    variants = [{"figures": {"print": {"time_s": 6000, "units": 4, "time_per_unit_s": 1500}}},
                {"figures": {"print": {"time_s": 1800, "units": 1, "time_per_unit_s": 1800}}},
                {"figures": {"print": {"available": False, "reason": "x"}}}]
    assert sc.fastest(variants) == ("print", 1500.0)
    assert sc.fastest([{"figures": {}}]) is None


def test_filters_offer_the_technologies_and_statuses_present_and_start_hidden(designs):
    parsed = parse(sc.catalog_markdown(designs, "fr"))
    assert parsed.options == {"technology": ["", "fdm", "laser"],
                              "status": ["", "community", "warning"]}
    assert parsed.filters_hidden is True  # shown by catalog.js; without JS, a plain list


def test_catalog_escapes_html_in_texts(designs):
    designs[0].meta = {**designs[0].meta, "title": {"en": "Clip <b>&</b>"}}
    md = sc.catalog_markdown(designs, "en")
    assert "Clip &lt;b&gt;&amp;&lt;/b&gt;" in md and "<b>&" not in md


def test_untranslated_summary_is_marked_english(designs):
    from sitegen.catalog import card_html

    panel = card_html(designs[1], "fr")
    assert '<p lang="en" dir="ltr">A flat panel.</p>' in panel


def test_catalog_without_designs_says_so():
    assert sc.ui("fr")["no_designs"] in sc.catalog_markdown([], "fr")
