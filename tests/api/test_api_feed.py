"""Exports on moto (issue 13): the public open-data feed (JSON and CSV, counters only, no
personal field) and the coordinators' CSV of allocations (contacts once accepted, audited,
safe for spreadsheets)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from api_helpers import MAKER_PERSONAL_VALUES, body_of, send, valid_body
from coordination_helpers import act, allocate, hub_regions, issue, new_request, new_site

REQUESTER_PERSONAL_VALUES = ("Jeanne Martin", "jeanne.martin@chu-caen.example",
                             "+33 2 31 06 31 06", "+33231063106", "14000", "Côte de Nacre",
                             "CHU de Caen",
                             "Lefèvre")


def utc_today():
    return datetime.now(timezone.utc).date()


@pytest.fixture
def regions(hub):
    found = hub_regions(hub)
    assert len(found) >= 2, "the test hub needs two regions"
    return found


@pytest.fixture
def hub_token(table):
    return issue(table)


def rows_of_csv(response, bom=False):
    text = response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body
    if bom:
        assert text.startswith("\ufeff")
        text = text[1:]
    return list(csv.DictReader(io.StringIO(text)))


def deliver(client, hub_token, request, site, quantity, count=None):
    """An allocation walked from proposed to delivered (``count`` units received)."""
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], quantity))
    for action, fields in (("accept", {}), ("produced", {"count": quantity}),
                           ("shipped", {"count": quantity})):
        assert act(client, site["edit_token"], made["id"], action, **fields).status_code == 200
    received = send(client, "POST", f"/requests/{request['reference']}/receipts",
                    {"allocation": made["id"], "received": count or quantity},
                    token=request["tracking_token"])
    assert received.status_code == 200, received.body
    return made


def audit_today(table):
    from chalicelib import audit

    return audit.read(table, utc_today(), None, 100)[0]


# ------------------------------------------------------------------ the open-data feed


def test_feed_json_and_csv_agree_with_each_other_and_with_stats(client, table, regions,
                                                                hub_token):
    first, second = regions[0], regions[1]
    request = new_request(client, first, quantity=10)
    new_request(client, second, quantity=5, design="ear-saver")
    site = new_site(client, first)
    deliver(client, hub_token, request, site, 6)

    as_json = client.http.get("/feed.json")
    assert as_json.status_code == 200, as_json.body
    assert as_json.headers["Cache-Control"] == "public, max-age=300"
    feed = body_of(as_json)
    today = utc_today()
    assert feed["until"] == today.isoformat()
    assert feed["since"] == (today - timedelta(days=59)).isoformat()

    as_csv = client.http.get("/feed.csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["Cache-Control"] == "public, max-age=300"
    assert as_csv.headers["Content-Disposition"].startswith("attachment; filename=")
    text = as_csv.body.decode("utf-8") if isinstance(as_csv.body, bytes) else as_csv.body
    assert text.splitlines()[0] == ("day,region,design,requested,delivered,"
                                    "capacity_units_per_day")
    numbers = ("requested", "delivered", "capacity_units_per_day")
    from_csv = [{**r, **{k: int(r[k]) for k in numbers}} for r in rows_of_csv(as_csv)]
    assert from_csv == feed["rows"]

    rows = {(r["day"], r["region"], r["design"]): r for r in feed["rows"]}
    day = today.isoformat()
    assert rows[(day, first, "visor-headband")]["requested"] == 10
    assert rows[(day, first, "visor-headband")]["delivered"] == 6
    assert rows[(day, second, "ear-saver")]["requested"] == 5
    assert rows[(day, second, "ear-saver")]["delivered"] == 0

    # The same numbers as GET /stats: deliveries and demand add up, today's capacity too.
    stats = body_of(client.http.get("/stats"))
    delivered, requested = defaultdict(int), defaultdict(int)
    for r in feed["rows"]:
        delivered[(r["design"], r["region"])] += r["delivered"]
        requested[(r["design"], r["region"])] += r["requested"]
    for line in stats["requests"]:
        key = (line["design"], line["region"])
        assert delivered[key] == line["quantity_delivered"]
        assert requested[key] == line["quantity_open"] + line["quantity_delivered"]
    capacity_today = {(r["design"], r["region"]): r["capacity_units_per_day"]
                      for r in feed["rows"] if r["day"] == day and r["capacity_units_per_day"]}
    assert capacity_today == {(c["design"], c["region"]): c["units_per_day"]
                              for c in stats["capacity"]}
    assert capacity_today  # the site's offers count

    # No personal value anywhere, in either form.
    for body in (as_json.body, as_csv.body):
        raw = body.decode("utf-8") if isinstance(body, bytes) else body
        for value in REQUESTER_PERSONAL_VALUES + MAKER_PERSONAL_VALUES:
            assert value not in raw, value
        assert request["reference"] not in raw and site["id"] not in raw


def test_feed_window_and_bad_since(client, table, regions):
    new_request(client, regions[0], quantity=3)
    today = utc_today()
    only_today = body_of(client.http.get(f"/feed.json?since={today.isoformat()}"))
    assert {r["day"] for r in only_today["rows"]} == {today.isoformat()}
    oldest = (today - timedelta(days=366)).isoformat()
    assert client.http.get(f"/feed.csv?since={oldest}").status_code == 200
    for bad in ((today - timedelta(days=367)).isoformat(),
                (today + timedelta(days=1)).isoformat(), "yesterday", "2025-02-30"):
        for path in ("/feed.json", "/feed.csv"):
            refused = client.http.get(f"{path}?since={bad}")
            assert refused.status_code == 400, (path, bad)
            body = body_of(refused)
            assert body["error"] == "bad_parameter" and "since" in body["fields"]


def test_a_region_with_a_comma_and_quotes_survives_the_csv(client, table, regions):
    from chalicelib import stats

    region = f'{regions[0]}, "{regions[1]}"'
    item = {"region": region, "status": "submitted",
            "items": [{"design": "ear-saver", "quantity": 7, "delivered": 2}]}
    table.meta.client.transact_write_items(
        TransactItems=stats.request_opened(table.name, item, today=utc_today()))
    (row,) = [r for r in rows_of_csv(client.http.get("/feed.csv")) if r["region"] == region]
    assert (row["design"], row["requested"], row["delivered"]) == ("ear-saver", "7", "2")
    (same,) = [r for r in body_of(client.http.get("/feed.json"))["rows"]
               if r["region"] == region]
    assert same["requested"] == 7


def test_day_counters_move_in_the_same_transaction_as_the_record(table):
    from chalicelib import stats

    item = {"region": "x", "status": "submitted",
            "items": [{"design": "ear-saver", "quantity": 4, "delivered": 0},
                      {"design": "ear-saver", "variant": "s", "quantity": 1, "delivered": 0}]}
    actions = stats.request_changed("t", item, {**item, "items": [
        {**item["items"][0], "delivered": 3}, item["items"][1]]}, shard=1, today=utc_today())
    keys = [(a["Update"]["Key"]["pk"], a["Update"]["Key"]["sk"]) for a in actions]
    assert len(keys) == len(set(keys))  # one transaction never touches an item twice
    assert ("STATS#DAYS", f"{utc_today().isoformat()}#ear-saver#01") in keys
    # Closing moves no day counter: demand stays on its creation day.
    assert all(a["Update"]["Key"]["pk"] != "STATS#DAYS"
               for a in stats.request_closed("t", item, today=utc_today()))


# ------------------------------------------------------------------ the coordinators' CSV


def test_export_has_contacts_on_accepted_rows_only_and_is_audited(client, table, regions,
                                                                  hub_token):
    first = regions[0]
    accepted_request = new_request(client, first, quantity=10)
    proposed_request = new_request(client, first, quantity=5)
    site = new_site(client, first)
    accepted = body_of(allocate(client, hub_token, accepted_request["reference"], site["id"], 6))
    assert act(client, site["edit_token"], accepted["id"], "accept").status_code == 200
    proposed = body_of(allocate(client, hub_token, proposed_request["reference"], site["id"], 2))

    response = send(client, "GET", "/coordination/export.csv", token=hub_token)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = {r["reference"]: r for r in rows_of_csv(response, bom=True)}
    assert set(rows) == {accepted_request["reference"], proposed_request["reference"]}
    mine = rows[accepted_request["reference"]]
    assert (mine["site"], mine["site_region"], mine["status"], mine["quantity"]) == (
        site["id"], first, "accepted", "6")
    assert mine["contact_email"] == "jeanne.martin@chu-caen.example"
    assert mine["contact_phone"] == "'+33231063106"  # E.164; a formula start, made safe
    assert mine["delivery_address"].startswith("Avenue de la Côte de Nacre")
    other = rows[proposed_request["reference"]]
    assert other["status"] == "proposed" and other["design"] == proposed["design"]
    assert not any(other[c] for c in ("contact_name", "contact_email", "contact_phone",
                                      "delivery_address"))

    (entry,) = [e for e in audit_today(table) if e["action"] == "export_contacts"]
    assert entry["actor"] == "coordinator:" + hub_token.split(".")[0]
    assert entry["records"] == [accepted_request["reference"]]

    # Once delivered, the contact leaves the export; an export without one is not audited.
    for action, count in (("produced", 6), ("shipped", 6)):
        assert act(client, site["edit_token"], accepted["id"], action,
                   count=count).status_code == 200
    send(client, "POST", f"/requests/{accepted_request['reference']}/receipts",
         {"allocation": accepted["id"], "received": 6},
         token=accepted_request["tracking_token"])
    rows = rows_of_csv(send(client, "GET", "/coordination/export.csv", token=hub_token),
                       bom=True)
    assert {r["status"] for r in rows} == {"delivered", "proposed"}
    assert not any(r["contact_email"] for r in rows)
    assert len([e for e in audit_today(table) if e["action"] == "export_contacts"]) == 1


def test_export_escapes_formulas_and_filters_by_day(client, table, regions, hub_token):
    first = regions[0]
    body = valid_body()
    body["contact"]["name"] = "=HYPERLINK(\"http://evil.example\",\"x\")"
    body["delivery"]["address"] = "@SUM(1+1) rue du Port"
    request = new_request(client, first, quantity=4, contact=body["contact"],
                          delivery={**body["delivery"], "region": first})
    site = new_site(client, first)
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 4))
    assert act(client, site["edit_token"], made["id"], "accept").status_code == 200
    (row,) = rows_of_csv(send(client, "GET", "/coordination/export.csv", token=hub_token),
                         bom=True)
    assert row["contact_name"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row["delivery_address"] == "'@SUM(1+1) rue du Port"
    day = made["day"]
    assert rows_of_csv(send(client, "GET", f"/coordination/export.csv?from={day}&to={day}",
                            token=hub_token), bom=True)
    after = (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
    assert rows_of_csv(send(client, "GET", f"/coordination/export.csv?from={after}",
                            token=hub_token), bom=True) == []
    for query in ("from=someday", f"from={after}&to={day}"):
        refused = send(client, "GET", f"/coordination/export.csv?{query}", token=hub_token)
        assert refused.status_code == 400 and body_of(refused)["error"] == "bad_parameter"


def test_export_scope_and_auth(client, table, regions, hub_token):
    first, second = regions[0], regions[1]
    request = new_request(client, first, quantity=4)
    site = new_site(client, first)
    assert allocate(client, hub_token, request["reference"], site["id"], 4).status_code == 201
    scoped = issue(table, regions=[second])
    refused = send(client, "GET", f"/coordination/export.csv?region={first}", token=scoped)
    assert refused.status_code == 403
    # Without a region: the regions in scope only, so nothing of the first region.
    mine = send(client, "GET", "/coordination/export.csv", token=scoped)
    assert mine.status_code == 200 and rows_of_csv(mine, bom=True) == []
    both = issue(table, regions=[first])
    assert len(rows_of_csv(send(client, "GET", f"/coordination/export.csv?region={first}",
                                token=both), bom=True)) == 1
    assert send(client, "GET", "/coordination/export.csv").status_code == 401
    assert send(client, "GET", "/coordination/export.csv",
                token="C-NOTAREAL.secret").status_code == 401
    assert not [e for e in audit_today(table) if e["action"] == "export_contacts"]
