"""The whole chain in Chromium, one person after the other, each in their own browser and
language, against the real local stack (the site served over HTTP, `chalice local`,
DynamoDB Local: tests/browser/conftest.py):

1. a site signs up and declares its capacity;
2. a hospital requests parts;
3. a coordinator runs the planner, reads the ETA, and allocates the request to the site;
4. the site opens its allocations, accepts, enters produced and shipped counts;
5. the hospital confirms receipt from its tracking link;
6. the public dashboard shows the delivery.

The languages come from the hub under test: the site works in its right-to-left language
where it has one, the hospital and the coordinator in the others (French, English and
Arabic for the repository's hub). Each step is photographed at 360 px and 1280 px wide, the
whole page, into build/artefacts/journey/<hub>/ (or $USINE_ARTEFACTS/journey/<hub>/): CI
keeps them, and a person can look at what each role saw.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import hub_under_test
import sitegen as sc
from allocation_helpers import coordinator_token, send
from form_fill import fill_request, fill_signup
from hubdata import LANGUAGES, REGIONS, RTL

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
WIDTHS = (360, 1280)
DESIGN = "demo-clip"  # the fake hub's printed design (tests/site/fakehub.py)
ASKED, ALLOCATED, SHIPPED = 60, 60, 60
# A region the other browser tests leave alone where the hub has enough of them.
REGION = REGIONS[1 % len(REGIONS)]


def roles() -> tuple[str, str, str]:
    """(hospital, coordinator, site) languages: the site in a right-to-left one where the
    hub has one, the others spread over the remaining languages."""
    site = RTL[0] if RTL else LANGUAGES[-1]
    others = [lang for lang in LANGUAGES if lang != site] or [site]
    return others[0], others[1 % len(others)], site


def artefacts() -> Path:
    hub = "hub" if hub_under_test.PATH == REPO / "hub.toml" else hub_under_test.PATH.parent.name
    root = Path(os.environ.get("USINE_ARTEFACTS") or REPO / "build" / "artefacts")
    folder = root / "journey" / hub
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


class Camera:
    """Whole-page screenshots of each step at every width of WIDTHS."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.files: list[Path] = []

    def shoot(self, page, step: str) -> None:
        """Photograph the page at each width; fail if it is wider than the screen (the
        reader would have to scroll sideways), naming the elements that stick out."""
        self.count += 1
        size = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            path = self.folder / f"{self.count:02d}-{step}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            self.files.append(path)
            assert not wider_than_screen(page), (step, width, wider_than_screen(page))
        page.set_viewport_size(size)


def wider_than_screen(page) -> list[str]:
    """The innermost elements that stick out on the page's end side (right, or left in a
    right-to-left page), if the page scrolls sideways."""
    return page.evaluate("""() => {
        const root = document.documentElement, width = root.clientWidth;
        if (root.scrollWidth <= width) return [];
        const rtl = getComputedStyle(root).direction === 'rtl';
        const out_ = el => { const r = el.getBoundingClientRect();
          return r.width > 0 && (rtl ? r.left < -1 : r.right > width + 1); };
        const found = [];
        for (const el of document.body.querySelectorAll('*')) {
          if (!out_(el) || [...el.children].some(out_)) continue;
          const r = el.getBoundingClientRect();
          found.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                     (typeof el.className === 'string' && el.className.trim() ?
                      '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                     ' ' + Math.round(r.left) + '..' + Math.round(r.right));
          if (found.length > 8) break;
        }
        return found.length ? found : ['scrollWidth ' + root.scrollWidth + ' > ' + width];
    }""")


def person(browser, lang: str):
    """A browser of one's own (no shared storage), its page, its requests and errors."""
    context = browser.new_context(locale=lang, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    seen: dict[str, list[str]] = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return context, page, seen


def fact(card, word):
    return card.locator(f'dt:text-is("{word}") + dd')


def number(page, value: int, lang: str) -> str:
    """``value`` as the page's script writes it (Intl.NumberFormat of the page's language)."""
    return page.evaluate("([v, l]) => new Intl.NumberFormat(l).format(v)", [value, lang])


def stats_row(api_url: str) -> dict:
    """/stats' figures of DESIGN in REGION (zero before any request)."""
    status, answer = send(api_url, "GET", "/stats")
    assert status == 200, answer
    row = {"quantity_open": 0, "quantity_delivered": 0}
    for r in answer["requests"]:
        if r["design"] == DESIGN and r["region"] == REGION.id:
            row = r
    return row


def test_request_plan_allocate_make_ship_confirm_and_see_it_on_the_dashboard(
        browser, site_url, api_url, dynamodb_endpoint):
    hospital_lang, coordinator_lang, site_lang = roles()
    camera = Camera(artefacts())
    before = stats_row(api_url)
    people = []
    try:
        # 1. The site signs up, in its language, and keeps its number and edit code.
        context, page, site_seen = person(browser, site_lang)
        people.append((context, site_seen))
        m = sc.form_words(site_lang, "maker")
        page.goto(f"{site_url}/{site_lang}/signup.html")
        fill_signup(page, site_lang, design=DESIGN, variant=None, units_per_day="120",
                    region=REGION.id)
        page.locator("form [type=submit]").click()
        site_id = page.locator(".usine-status .usine-reference")
        expect(site_id).to_have_text(re.compile(r"^M-"), timeout=15_000)
        site_id = site_id.text_content()
        edit_code = page.locator("a.usine-edit-link").get_attribute("href").rsplit("token=", 1)[1]
        expect(page.locator(".usine-status")).to_contain_text(m["keep_link"])
        camera.shoot(page, f"site-signs-up-{site_lang}")

        # 2. The hospital requests parts, in its language.
        context, hospital, hospital_seen = person(browser, hospital_lang)
        people.append((context, hospital_seen))
        hospital.goto(f"{site_url}/{hospital_lang}/request.html")
        fill_request(hospital, hospital_lang, quantity=str(ASKED), design=DESIGN,
                     region=REGION.id)
        hospital.locator("form [type=submit]").click()
        reference = hospital.locator(".usine-status .usine-reference")
        expect(reference).to_have_text(re.compile(r"^R-"), timeout=15_000)
        reference = reference.text_content()
        tracking = hospital.locator("a.usine-tracking-link").get_attribute("href")
        camera.shoot(hospital, f"hospital-requests-{hospital_lang}")

        # 3. The coordinator plans, reads the ETA, and allocates the request to the site.
        context, desk, desk_seen = person(browser, coordinator_lang)
        people.append((context, desk_seen))
        c = sc.form_words(coordinator_lang, "console")
        desk.goto(f"{site_url}/{coordinator_lang}/console.html")
        desk.locator("#uc-token").fill(coordinator_token(dynamodb_endpoint))
        desk.locator("#uc-token-form [type=submit]").click()
        expect(desk.locator("#uc-token-form .usine-status")).to_have_text(c["token_ok"],
                                                                          timeout=15_000)
        desk.locator("#uc-plan-region").select_option(REGION.id)
        desk.locator("#uc-plan-form [type=submit]").click()
        line = desk.locator(f'#uc-plan tr[data-line="{reference}:0"]')
        expect(line).to_have_count(1, timeout=30_000)
        eta = line.locator("td").nth(5)
        expect(eta).to_have_text(re.compile(r"\d"))  # the day the planner expects it
        camera.shoot(desk, f"coordinator-plans-{coordinator_lang}")
        desk.get_by_role("button", name=c["open_request"].format(reference=reference)).click()
        expect(desk.locator("#uc-detail-h")).to_have_text(
            c["detail_heading"].format(reference=reference), timeout=15_000)
        desk.locator("#uc-al-site").select_option(site_id)
        desk.locator("#uc-al-quantity").fill(str(ALLOCATED))
        desk.locator("#uc-allocate-form [type=submit]").click()
        expect(desk.locator("#uc-allocate-form .usine-status")).to_contain_text(
            site_id, timeout=15_000)
        desk.locator("#uc-board-form [type=submit]").click()
        expect(desk.locator("#uc-board-proposed tbody tr", has_text=reference)).to_have_count(
            1, timeout=15_000)
        camera.shoot(desk, f"coordinator-allocates-{coordinator_lang}")

        # 4. The site signs in with its number and edit code, accepts, makes and ships.
        s = sc.form_words(site_lang, "site")
        page.goto(f"{site_url}/{site_lang}/sites.html")
        page.get_by_label(s["site_id"]).fill(site_id)
        page.get_by_label(s["token"]).fill(edit_code)
        page.locator("#usine-site-form [type=submit]").click()
        card = page.locator(".usine-allocation", has_text=reference)
        expect(card).to_have_count(1, timeout=15_000)
        expect(fact(card, s["status"])).to_have_text(s["status_proposed"])
        camera.shoot(page, f"site-sees-the-allocation-{site_lang}")
        result = card.locator(".usine-allocation-result")
        card.get_by_role("button", name=s["accept"], exact=True).click()
        expect(result).to_have_text(s["done_accept"], timeout=15_000)
        expect(card.locator(".usine-delivery")).to_contain_text("jeanne.martin@example.org")
        card.get_by_label(s["produced_count"]).fill(str(ALLOCATED))
        card.get_by_role("button", name=s["save_produced"]).click()
        expect(result).to_have_text(s["done_produced"].format(count=ALLOCATED), timeout=15_000)
        card.get_by_label(s["shipped_count"]).fill(str(SHIPPED))
        card.get_by_role("button", name=s["save_shipped"]).click()
        expect(result).to_have_text(s["done_shipped"].format(count=SHIPPED), timeout=15_000)
        expect(fact(card, s["status"])).to_have_text(s["status_shipped"])
        camera.shoot(page, f"site-ships-{site_lang}")

        # 5. The hospital follows its tracking link and confirms what it received.
        h = sc.form_words(hospital_lang, "status")
        hospital.goto(tracking)
        received = hospital.locator(".usine-request-allocations .usine-allocation")
        expect(received).to_have_count(1, timeout=15_000)
        expect(fact(received, h["site_region"])).to_have_text(REGION.name(hospital_lang))
        expect(fact(received, h["shipped"])).to_have_text(str(SHIPPED))
        assert site_id not in hospital.content()  # the site's region, never the site
        received.get_by_label(h["received"]).fill(str(SHIPPED))
        received.get_by_role("button", name=h["confirm_receipt"]).click()
        expect(received.locator(".usine-allocation-result")).to_have_text(
            h["receipt_done"].format(count=SHIPPED), timeout=15_000)
        expect(fact(received, h["progress"])).to_have_text(h["alloc_delivered"])
        camera.shoot(hospital, f"hospital-confirms-{hospital_lang}")

        # 6. Anyone sees the delivery on the public dashboard, in the hospital's language.
        hospital.goto(f"{site_url}/{hospital_lang}/dashboard.html")
        row = hospital.locator(f'#ud-regions tbody tr[data-region="{REGION.id}"]'
                               f'[data-design="{DESIGN}"]')
        delivered = before["quantity_delivered"] + SHIPPED
        expect(row.locator('[data-col="delivered"]')).to_have_text(
            number(hospital, delivered, hospital_lang), timeout=15_000)
        after = stats_row(api_url)
        assert after["quantity_delivered"] == delivered
        expect(row.locator('[data-col="open"]')).to_have_text(
            number(hospital, after["quantity_open"], hospital_lang))
        camera.shoot(hospital, f"dashboard-shows-the-delivery-{hospital_lang}")
    finally:
        for context, _ in people:
            context.close()

    # Nothing left the machine, no script failed, no secret reached a URL.
    for _, seen in people:
        assert all(re.match(r"(http://127\.0\.0\.1[:/]|data:|blob:)", u) for u in seen["requests"])
        assert not seen["errors"], seen["errors"]
        assert not any(edit_code in u or tracking.rsplit("token=", 1)[1] in u
                       for u in seen["requests"])
    assert len(camera.files) == 2 * camera.count
    assert all(p.stat().st_size > 0 for p in camera.files)
