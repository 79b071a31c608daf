"""The public dashboard (docs/<lang>/dashboard.md, dashboard.js with the vendored uPlot) in
Chromium against the real local API on DynamoDB Local: after a request is allocated,
shipped and confirmed as received, the page shows its region and design's quantity open,
delivered and the site's capacity, and today's delivery, in numbers the browser's Intl
formats for the page's language; the charts are drawn; the filters change the figures;
right to left, time runs right to left and the values' axis stands on the right, and a
phone's 360 px need no sideways scroll; an unreachable API is said, with a retry; a site
without API says so; nothing is fetched from anywhere but the site and the API.

Other browser tests write to the same tables in the same session: the figures expected
are read from the API (GET /stats, GET /feed.json) right before the page reads them, and
this test's own writes are checked to be in them."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from allocation_helpers import allocate, coordinator_token, create_request, create_site, send
from chalicelib import catalog
from hubdata import DEFAULT, LANGUAGES, REGIONS, rtl_language, template_parts

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESIGN = "demo-clip"  # the fake hub's design that allocation_helpers requests and offers
REGION = REGIONS[3 % len(REGIONS)]  # one the other browser tests leave alone
QUANTITY, ALLOCATED, SHIPPED, CAPACITY = 120, 50, 30, 40  # CAPACITY: create_site's offer
PHONE = {"width": 360, "height": 740}


def words(lang: str) -> dict[str, str]:
    return catalog.section(lang, "forms.dashboard")


def stats_row(api_url: str, region: str = REGION.id, design: str = DESIGN) -> dict:
    """Quantity open, delivered and capacity of one region and design, as /stats says."""
    status, stats = send(api_url, "GET", "/stats")
    assert status == 200, stats
    row = {"open": 0, "delivered": 0, "capacity": 0}
    for r in stats["requests"]:
        if (r["region"], r["design"]) == (region, design):
            row["open"] += r["quantity_open"]
            row["delivered"] += r["quantity_delivered"]
    for r in stats["capacity"]:
        if (r["region"], r["design"]) == (region, design):
            row["capacity"] += r["units_per_day"]
    return row


def day_sums(api_url: str, region: str | None = None) -> tuple[str, dict]:
    """(today as the feed counts it, {requested, delivered, capacity} of today), over every
    region or one."""
    status, feed = send(api_url, "GET", "/feed.json")
    assert status == 200, feed
    today = feed["until"]
    sums = {"requested": 0, "delivered": 0, "capacity": 0}
    for r in feed["rows"]:
        if r["day"] == today and region in (None, r["region"]):
            sums["requested"] += r["requested"]
            sums["delivered"] += r["delivered"]
            sums["capacity"] += r["capacity_units_per_day"]
    return today, sums


def formatted(page, lang: str, values: dict) -> dict:
    """The values as the browser's Intl.NumberFormat writes them in ``lang``."""
    return page.evaluate("([lang, v]) => Object.fromEntries(Object.entries(v).map("
                         "([k, n]) => [k, new Intl.NumberFormat(lang).format(n)]))",
                         [lang, values])


def cells(row) -> dict:
    return {col: row.locator(f'[data-col="{col}"]').text_content()
            for col in ("open", "delivered", "capacity", "requested")
            if row.locator(f'[data-col="{col}"]').count()}


def drawn(page, chart_id: str) -> bool:
    """Whether the chart's canvas has any painted pixel."""
    return page.evaluate("""id => {
        const canvas = document.querySelector('#' + id + ' canvas');
        if (!canvas || !canvas.width) return false;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]) return true;
        return false;
    }""", chart_id)


def serious_axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document.getElementById('usine-dashboard'), "
                           "{resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}) {n['target']}: {v['help']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")
            for n in v["nodes"]]


def only_site_and_api(requests: list[str], site_url: str, api_url: str) -> list[str]:
    return [u for u in requests if not u.startswith((site_url + "/", api_url + "/", "data:", "blob:"))]


@pytest.fixture(scope="module")
def delivered(dynamodb_endpoint, api_url) -> dict:
    """A request of REGION allocated to a site of REGION, shipped in part and confirmed as
    received: the API's figures before and after."""
    before = stats_row(api_url)
    coordinator = coordinator_token(dynamodb_endpoint)
    request = create_request(api_url, quantity=QUANTITY, region=REGION.id)
    site = create_site(api_url, region=REGION.id)
    allocation = allocate(api_url, coordinator, request["reference"], site["id"], ALLOCATED)
    for action, count in (("accept", None), ("produced", ALLOCATED), ("shipped", SHIPPED)):
        body = {"action": action, **({"count": count} if count else {})}
        status, answer = send(api_url, "POST", f"/allocations/{allocation['id']}", body,
                              token=site["edit_token"])
        assert status == 200, answer
    status, answer = send(api_url, "POST", f"/requests/{request['reference']}/receipts",
                          {"allocation": allocation["id"], "received": SHIPPED},
                          token=request["tracking_token"])
    assert status == 200, answer
    after = stats_row(api_url)
    assert after["delivered"] - before["delivered"] == SHIPPED
    assert after["open"] - before["open"] == QUANTITY - SHIPPED
    assert after["capacity"] - before["capacity"] == CAPACITY
    return after


def open_dashboard(page, site_url: str, lang: str):
    page.goto(f"{site_url}/{lang}/dashboard.html")
    row = page.locator(f'#ud-regions tbody tr[data-region="{REGION.id}"][data-design="{DESIGN}"]')
    expect(row).to_have_count(1, timeout=15_000)
    return row


def test_the_dashboard_shows_the_figures_and_filters_them(tab, site_url, api_url, delivered):
    lang = DEFAULT
    w = words(lang)
    page = tab.page
    expected = stats_row(api_url)
    today, sums = day_sums(api_url)
    row = open_dashboard(page, site_url, lang)
    assert cells(row) == formatted(page, lang, expected)
    assert expected["delivered"] >= SHIPPED and expected["capacity"] >= CAPACITY
    expect(row.locator("th")).to_have_text(REGION.name(lang))
    expect(page.locator(".ud-status")).to_contain_text(w["as_of"].split("{time}")[0].strip())
    # Today's row: what the feed counts over every region and design.
    day = page.locator(f'#ud-days tr[data-day="{today}"]')
    expect(day).to_have_count(1)
    assert cells(day) == formatted(page, lang, sums)
    assert sums["delivered"] >= SHIPPED
    # Both charts are drawn, each an image named by a summary of its figures.
    for chart, key in (("ud-regions-chart", "regions_chart"), ("ud-days-chart", "days_chart")):
        expect(page.locator(f"#{chart} canvas").first).to_be_visible()
        assert drawn(page, chart), chart
        assert page.locator(f"#{chart}").get_attribute("role") == "img"
        label = page.locator(f"#{chart}").get_attribute("aria-label")
        assert all(part in label for part in template_parts(w[key])), (label, w[key])
    # The legends name the series in the page's language.
    legend = page.locator("#ud-days-chart .u-legend")
    for key in ("col_day", "col_requested", "col_delivered", "col_capacity"):
        expect(legend).to_contain_text(w[key])
    assert not serious_axe_violations(page)

    # One region: the day table sums that region only; the regions table keeps its rows.
    page.select_option("#ud-region", REGION.id)
    today, mine = day_sums(api_url, REGION.id)
    expect(day.locator('[data-col="requested"]')).to_have_text(
        formatted(page, lang, mine)["requested"])
    assert cells(day) == formatted(page, lang, mine)
    regions = page.locator("#ud-regions tbody tr")
    assert set(regions.evaluate_all("rows => rows.map(r => r.dataset.region)")) == {REGION.id}
    # A design nobody asked for there: said, no empty chart.
    other = [d for d in page.locator("#ud-design option").evaluate_all(
        "os => os.map(o => o.value)") if d and d != DESIGN]
    if other and not any(stats_row(api_url, REGION.id, other[0]).values()):
        page.select_option("#ud-design", other[0])
        expect(page.locator(".ud-section .ud-none").first).to_have_text(w["empty_choice"])
        expect(page.locator("#ud-regions-chart")).to_be_hidden()
        page.select_option("#ud-design", "")

    # From the keyboard: the filters, then the table's region (it scrolls when it must).
    page.focus("#ud-design")
    page.keyboard.press("Tab")
    expect(page.locator("#ud-regions-box")).to_be_focused()

    # Refresh asks the API again, past the browser's cache.
    asked = []
    page.on("request", lambda r: r.url.startswith(api_url) and asked.append(
        (r.url, r.all_headers().get("cache-control"))))
    page.get_by_role("button", name=w["refresh"]).click()
    expect(page.get_by_role("button", name=w["refresh"])).to_be_enabled()
    assert {(u.rsplit("/", 1)[1], c) for u, c in asked} == {("stats", "max-age=0"),
                                                           ("feed.json", "max-age=0")}

    assert not only_site_and_api(tab.requests, site_url, api_url)
    assert not tab.outside_requests()
    assert not tab.errors, tab.errors


def test_right_to_left_time_runs_right_to_left_on_a_phone(browser, site_url, api_url,
                                                          delivered):
    lang = rtl_language()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("request", lambda r: requests.append(r.url))
    try:
        open_dashboard(page, site_url, lang)
        assert page.evaluate("getComputedStyle(document.getElementById('usine-dashboard'))"
                             ".direction") == "rtl"
        days = page.evaluate("""() => {
            const u = UsineDashboard.charts.days, xs = u.data[0];
            return {dir: u.scales.x.dir, side: u.axes[1].side,
                    first: u.valToPos(xs[0], 'x'), last: u.valToPos(xs[xs.length - 1], 'x')};
        }""")
        assert days["dir"] == -1 and days["side"] == 1
        assert days["first"] > days["last"]  # the oldest day on the right
        # Bars grow leftwards from the regions' names, which stand on the right.
        bars = page.evaluate("""() => {
            const u = UsineDashboard.charts.regions;
            return {dir: u.scales.y.dir, side: u.axes[0].side,
                    zero: u.valToPos(0, 'y'), one: u.valToPos(1, 'y')};
        }""")
        assert bars["dir"] == -1 and bars["side"] == 1 and bars["zero"] > bars["one"]
        # Dates in the page's language.
        today, _ = day_sums(api_url)
        long_date = page.evaluate("([lang, day]) => new Intl.DateTimeFormat(lang, {dateStyle: "
                                  "'medium', timeZone: 'UTC'}).format(new Date(day))",
                                  [lang, today])
        expect(page.locator(f'#ud-days tr[data-day="{today}"] th')).to_have_text(long_date)
        # A phone's width: nothing wider than the screen; the charts follow the width.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        width = page.evaluate("UsineDashboard.charts.days.width")
        assert 200 <= width <= PHONE["width"]
        page.set_viewport_size({"width": 700, "height": 740})
        page.wait_for_function(f"UsineDashboard.charts.days.width > {width + 100}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 700
        assert drawn(page, "ud-days-chart")
        assert not serious_axe_violations(page)
        assert not only_site_and_api(requests, site_url, api_url)
        assert not errors, errors
    finally:
        context.close()


def test_an_unreachable_api_is_said_with_a_retry_and_an_empty_hub_honestly(
        tab, site_url, api_url):
    lang = LANGUAGES[-1]
    w = words(lang)
    page = tab.page
    page.route(f"{api_url}/**", lambda route: route.abort())
    page.goto(f"{site_url}/{lang}/dashboard.html")
    error = page.locator(".ud-error-text")
    expect(error).to_have_text(w["network"], timeout=15_000)
    expect(error).to_have_attribute("role", "alert")
    expect(page.locator(".ud-section").first).to_be_hidden()
    expect(page.locator(".ud-filters")).to_be_hidden()

    # The API answers, with nothing recorded yet: said as such, no chart.
    now = datetime.now(timezone.utc)
    today = now.date().isoformat()
    page.unroute(f"{api_url}/**")
    empty = {"/stats": {"generated_at": now.isoformat(timespec="seconds"), "requests": [],
                        "capacity": [], "delivered": [], "makers": {"active": 0, "withdrawn": 0}},
             "/feed.json": {"generated_at": now.isoformat(timespec="seconds"), "since": today,
                            "until": today, "rows": []}}
    page.route(f"{api_url}/**", lambda route: route.fulfill(
        status=200, json=empty["/" + route.request.url.split("/")[-1].split("?")[0]],
        headers={"Access-Control-Allow-Origin": "*"}))
    retry = page.get_by_role("button", name=w["retry"])
    retry.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ud-status")).to_have_text(w["empty"], timeout=15_000)
    expect(error).to_be_hidden()
    expect(page.locator(".ud-section").first).to_be_hidden()

    # And then the real API: the figures.
    page.unroute(f"{api_url}/**")
    page.get_by_role("button", name=w["refresh"]).click()
    expect(page.locator("#ud-regions tbody tr").first).to_be_visible(timeout=15_000)
    assert not only_site_and_api(tab.requests, site_url, api_url)
    # The aborted calls are logged by the browser as failed loads; no script error.
    assert not [e for e in tab.errors if "Failed to load resource" not in e
                and "ERR_FAILED" not in e], tab.errors


def test_a_site_without_api_says_so(tab, site_url, api_url):
    lang = DEFAULT
    page = tab.page
    page.route("**/assets/hub-config.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript",
        body=f'window.USINE = {{"apiBaseUrl": "", "regions": [], "designs": [], "lang": "{lang}"}};'))
    page.goto(f"{site_url}/{lang}/dashboard.html")
    expect(page.locator(".ud-status")).to_have_text(words(lang)["no_api"])
    expect(page.locator(".ud-refresh")).to_be_hidden()
    expect(page.locator(".ud-filters")).to_be_hidden()
    assert not [u for u in tab.requests if u.startswith(api_url)]
    assert not tab.errors, tab.errors
