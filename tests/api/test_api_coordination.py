"""Coordination on moto: allocations from proposed to delivered, the quantity invariant,
who may do what (auth on every new operation), contacts revealed only when needed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from api_helpers import body_of, send
from coordination_helpers import act, allocate, hub_regions, issue, new_request, new_site


@pytest.fixture
def regions(hub):
    found = hub_regions(hub)
    assert len(found) >= 2, "the test hub needs two regions"
    return found


@pytest.fixture
def hub_token(table):
    return issue(table)


@pytest.fixture
def setup(client, table, regions, hub_token):
    """A request of 10 in the first region, a site there, a hub-scope coordinator."""
    request = new_request(client, regions[0], quantity=10)
    site = new_site(client, regions[0])
    return request, site


def audit_today(table):
    from chalicelib import audit

    return audit.read(table, datetime.now(timezone.utc).date(), None, 100)[0]


# ------------------------------------------------------------------ the whole journey


def test_request_is_allocated_made_shipped_and_confirmed(client, table, setup, hub_token,
                                                         regions):
    request, site = setup
    ref = request["reference"]
    listed = body_of(send(client, "GET", "/coordination/requests", token=hub_token))
    assert [r["reference"] for r in listed["requests"]] == [ref]
    assert listed["requests"][0]["items"][0]["requested"] == 10

    created = allocate(client, hub_token, ref, site["id"], 6)
    assert created.status_code == 201, created.body
    allocation = body_of(created)
    assert allocation["status"] == "proposed" and allocation["quantity"] == 6

    sites = body_of(send(client, "GET", "/coordination/sites", token=hub_token))["sites"]
    (mine,) = [s for s in sites if s["id"] == site["id"]]
    assert sum(mine["load_per_day"].values()) == 6
    assert "contact" not in json.dumps(sites)

    # The site sees no contact before accepting, and the requester's contact after.
    seen = body_of(send(client, "GET", f"/allocations/{allocation['id']}",
                        token=site["edit_token"]))
    assert "delivery" not in seen
    assert act(client, site["edit_token"], allocation["id"], "accept").status_code == 200
    seen = body_of(send(client, "GET", f"/makers/{site['id']}/allocations",
                        token=site["edit_token"]))["allocations"][0]
    assert seen["delivery"]["contact"]["email"] == "jeanne.martin@chu-caen.example"
    reveals = [e for e in audit_today(table) if e["action"] == "reveal_requester"]
    assert reveals and reveals[-1]["actor"] == f"site:{site['id']}"
    assert ref in reveals[-1]["records"]

    assert act(client, site["edit_token"], allocation["id"], "produced",
               count=6).status_code == 200
    shipped = act(client, site["edit_token"], allocation["id"], "shipped", count=6)
    assert body_of(shipped)["status"] == "shipped"

    # The requester sees the site's region, not the site; confirms what arrived.
    progress = body_of(send(client, "GET", f"/requests/{ref}",
                            token=request["tracking_token"]))
    (mine,) = progress["allocations"]
    assert mine["site_region"] == regions[0] and "site" not in mine
    assert mine["shipped"] == 6
    confirmed = send(client, "POST", f"/requests/{ref}/receipts",
                     {"allocation": allocation["id"], "received": 6},
                     token=request["tracking_token"])
    assert body_of(confirmed)["status"] == "delivered"

    progress = body_of(send(client, "GET", f"/requests/{ref}",
                            token=request["tracking_token"]))
    assert progress["status"] == "in_progress"  # 6 of 10: derived, never set by hand
    assert progress["items"][0]["delivered"] == 6
    stats = body_of(send(client, "GET", "/stats"))
    assert sum(d["quantity"] for d in stats["delivered"]) == 6

    # The remaining 4, then the request leaves the open list as delivered.
    second = body_of(allocate(client, hub_token, ref, site["id"], 4))
    for action, count in (("accept", None), ("produced", 4), ("shipped", 4)):
        fields = {"count": count} if count else {}
        assert act(client, site["edit_token"], second["id"], action,
                   **fields).status_code == 200
    send(client, "POST", f"/requests/{ref}/receipts",
         {"allocation": second["id"], "received": 4}, token=request["tracking_token"])
    progress = body_of(send(client, "GET", f"/requests/{ref}",
                            token=request["tracking_token"]))
    assert progress["status"] == "delivered"
    listed = body_of(send(client, "GET", "/coordination/requests", token=hub_token))
    assert listed["requests"] == []
    actions = [e["action"] for e in audit_today(table)]
    assert actions.count("allocate") == 2 and actions.count("delivered") == 2


# ------------------------------------------------------------------ quantities


def test_allocations_never_exceed_the_requested_quantity(client, setup, hub_token):
    request, site = setup
    ref = request["reference"]
    first = body_of(allocate(client, hub_token, ref, site["id"], 7))
    refused = allocate(client, hub_token, ref, site["id"], 4)
    assert refused.status_code == 409
    answer = body_of(refused)
    assert answer["error"] == "over_allocated" and "3" in answer["fields"]["quantity"]
    assert allocate(client, hub_token, ref, site["id"], 3).status_code == 201
    # A decline returns its quantity to the queue, with its reason.
    declined = act(client, site["edit_token"], first["id"], "decline", reason="no_material")
    assert body_of(declined)["status"] == "declined"
    assert body_of(declined)["reason"] == "no_material"
    assert allocate(client, hub_token, ref, site["id"], 7).status_code == 201
    assert allocate(client, hub_token, ref, site["id"], 1).status_code == 409


def test_cancel_returns_the_quantity_and_needs_a_reason(client, setup, hub_token):
    request, site = setup
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 10))
    path = f"/coordination/allocations/{made['id']}/cancel"
    missing = send(client, "POST", path, {"action": "cancel"}, token=hub_token)
    assert missing.status_code == 400 and "reason" in body_of(missing)["fields"]
    done = send(client, "POST", path, {"action": "cancel", "reason": "machine_down"},
                token=hub_token)
    assert body_of(done)["status"] == "cancelled"
    assert allocate(client, hub_token, request["reference"], site["id"], 10).status_code == 201


@pytest.mark.parametrize("steps, last, status, error", [
    ((), ("produced", {"count": 1}), 409, "bad_transition"),
    (("accept",), ("produced", {"count": 11}), 400, "bad_count"),
    (("accept",), ("shipped", {"count": 1}), 409, "bad_transition"),
    (("accept",), ("decline", {"reason": "other"}), 409, "bad_transition"),
    ((), ("decline", {}), 400, "bad_reason"),
    ((), ("fly", {}), 400, "invalid_request"),
])
def test_steps_out_of_order_are_refused_with_what_to_fix(client, setup, hub_token, steps,
                                                         last, status, error):
    request, site = setup
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 10))
    for step in steps:
        assert act(client, site["edit_token"], made["id"], step).status_code == 200
    refused = act(client, site["edit_token"], made["id"], last[0], **last[1])
    assert refused.status_code == status, refused.body
    assert body_of(refused)["error"] == error


def test_a_retried_step_changes_nothing(client, table, setup, hub_token):
    request, site = setup
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 10))
    act(client, site["edit_token"], made["id"], "accept")
    for _ in range(2):
        assert act(client, site["edit_token"], made["id"], "produced",
                   count=5).status_code == 200
    item = table.get_item(Key={"pk": f"REQUEST#{request['reference']}", "sk": "REQUEST"})
    assert int(item["Item"]["items"][0]["produced"]) == 5


# ------------------------------------------------------------------ who may do what


def _operations(ref, allocation_id, site_id):
    return [
        ("GET", "/coordination/requests", None),
        ("GET", f"/coordination/requests/{ref}", None),
        ("GET", f"/coordination/requests/{ref}/contact", None),
        ("POST", f"/coordination/requests/{ref}/close", {"reason": "other"}),
        ("POST", f"/coordination/requests/{ref}/merge", {"into": ref}),
        ("GET", "/coordination/sites", None),
        ("GET", f"/coordination/sites/{site_id}/contact", None),
        ("POST", "/coordination/allocations",
         {"reference": ref, "item": 0, "site": site_id, "quantity": 1}),
        ("POST", f"/coordination/allocations/{allocation_id}/cancel",
         {"action": "cancel", "reason": "other"}),
        ("GET", "/coordination/audit", None),  # hub scope only
        ("GET", "/coordination/export.csv", None),
    ]


def test_every_coordinator_operation_needs_a_valid_token_in_scope(client, table, setup,
                                                                  hub_token, regions):
    from chalicelib import coordinators

    request, site = setup
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 1))
    past = datetime.now(timezone.utc) - timedelta(days=3)
    _, expired = coordinators.issue(table, "Old", None, timedelta(days=1), past)
    revoked = issue(table)
    coordinators.revoke(table, revoked.split(".")[0], datetime.now(timezone.utc))
    elsewhere = issue(table, regions=[regions[1]])
    for method, path, body in _operations(request["reference"], made["id"], site["id"]):
        for token in (None, "nonsense", hub_token[:-2] + "xx", expired, revoked):
            answer = send(client, method, path, body, token=token)
            assert answer.status_code == 401, (method, path, token, answer.body)
        answer = send(client, method, path, body, token=elsewhere)
        if path in ("/coordination/requests", "/coordination/sites",
                    "/coordination/export.csv"):
            assert answer.status_code == 200  # its own regions: nothing of the first
            assert request["reference"] not in answer.body.decode()
            assert site["id"] not in answer.body.decode()
        else:
            assert answer.status_code == 403, (method, path, answer.body)
    wrong = send(client, "GET", f"/coordination/requests?region={regions[0]}",
                 token=elsewhere)
    assert wrong.status_code == 403


def test_a_site_acts_only_on_its_own_allocations(client, setup, hub_token, regions):
    request, site = setup
    other = new_site(client, regions[0])
    made = body_of(allocate(client, hub_token, request["reference"], site["id"], 2))
    for token in (other["edit_token"], request["tracking_token"], hub_token, "x" * 32):
        assert act(client, token, made["id"], "accept").status_code == 404
        assert send(client, "GET", f"/allocations/{made['id']}",
                    token=token).status_code == 404
    assert send(client, "GET", f"/makers/{site['id']}/allocations",
                token=other["edit_token"]).status_code == 404


def test_the_email_link_token_opens_its_allocation_only(client, setup, hub_token):
    from chalicelib import allocations, secret

    request, site = setup
    first = body_of(allocate(client, hub_token, request["reference"], site["id"], 2))
    second = body_of(allocate(client, hub_token, request["reference"], site["id"], 2))
    link = allocations.link_token(secret.keys()[0], first["id"])
    assert act(client, link, first["id"], "accept").status_code == 200
    assert act(client, link, second["id"], "accept").status_code == 404
    assert send(client, "GET", f"/makers/{site['id']}/allocations",
                token=link).status_code == 404


def test_only_the_requester_confirms_receipt(client, setup, hub_token):
    request, site = setup
    ref = request["reference"]
    made = body_of(allocate(client, hub_token, ref, site["id"], 2))
    for action, count in (("accept", None), ("produced", 2), ("shipped", 2)):
        act(client, site["edit_token"], made["id"], action, **({"count": count} if count else {}))
    for token in (site["edit_token"], hub_token, None):
        answer = send(client, "POST", f"/requests/{ref}/receipts",
                      {"allocation": made["id"], "received": 2}, token=token)
        assert answer.status_code == 404
    too_many = send(client, "POST", f"/requests/{ref}/receipts",
                    {"allocation": made["id"], "received": 3}, token=request["tracking_token"])
    assert too_many.status_code == 400 and "count" in body_of(too_many)["fields"]


def test_contacts_are_revealed_to_coordinators_only_on_demand_and_audited(
        client, table, setup, hub_token):
    request, site = setup
    ref = request["reference"]
    detail = send(client, "GET", f"/coordination/requests/{ref}", token=hub_token)
    assert "jeanne" not in detail.body.decode().lower()
    contact = body_of(send(client, "GET", f"/coordination/requests/{ref}/contact",
                           token=hub_token))
    assert contact["contact"]["email"] == "jeanne.martin@chu-caen.example"
    site_contact = body_of(send(client, "GET", f"/coordination/sites/{site['id']}/contact",
                                token=hub_token))
    assert site_contact["contact"]["email"] == "ali.benali@fablab-havre.example"
    actions = {(e["action"], tuple(e["records"])) for e in audit_today(table)}
    assert ("reveal_requester", (ref,)) in actions
    assert ("reveal_site", (site["id"],)) in actions


# ------------------------------------------------------------------ closing, merging


def test_close_needs_no_allocation_in_progress_and_leaves_the_open_list(client, setup,
                                                                       hub_token):
    request, site = setup
    ref = request["reference"]
    made = body_of(allocate(client, hub_token, ref, site["id"], 2))
    path = f"/coordination/requests/{ref}/close"
    busy = send(client, "POST", path, {"reason": "not_needed"}, token=hub_token)
    assert busy.status_code == 409 and body_of(busy)["error"] == "has_allocations"
    send(client, "POST", f"/coordination/allocations/{made['id']}/cancel",
         {"action": "cancel", "reason": "not_needed"}, token=hub_token)
    assert send(client, "POST", path, {"reason": "not_needed"},
                token=hub_token).status_code == 200
    assert body_of(send(client, "GET", "/coordination/requests", token=hub_token)) == {
        "requests": [], "cursor": None}
    again = send(client, "POST", path, {"reason": "not_needed"}, token=hub_token)
    assert again.status_code == 409 and body_of(again)["error"] == "not_open"
    assert allocate(client, hub_token, ref, site["id"], 1).status_code == 409


def test_a_repeat_is_merged_into_the_request_kept(client, table, regions, hub_token):
    organization = {"name": "CHU", "type": "hospital", "registry_id": "140000100"}
    first = new_request(client, regions[0], organization=organization)
    second = new_request(client, regions[0], organization=organization)
    other = new_request(client, regions[0])
    detail = body_of(send(client, "GET", f"/coordination/requests/{second['reference']}",
                          token=hub_token))
    assert detail["possible_repeats"] == [first["reference"]]
    refused = send(client, "POST", f"/coordination/requests/{second['reference']}/merge",
                   {"into": other["reference"]}, token=hub_token)
    assert refused.status_code == 409 and body_of(refused)["error"] == "not_a_repeat"
    merged = send(client, "POST", f"/coordination/requests/{second['reference']}/merge",
                  {"into": first["reference"]}, token=hub_token)
    assert body_of(merged) == {"reference": second["reference"], "status": "closed",
                               "merged_into": first["reference"]}
    listed = body_of(send(client, "GET", "/coordination/requests", token=hub_token))
    assert {r["reference"] for r in listed["requests"]} == {first["reference"],
                                                           other["reference"]}


# ------------------------------------------------------------------ lists


def test_open_requests_are_paginated_most_urgent_first_across_regions(client, regions,
                                                                      hub_token):
    from api_helpers import today

    made = []
    for i, region in enumerate(regions[:2] * 3):
        needed = (today() + timedelta(days=20 - i)).isoformat()
        made.append((region, needed, new_request(client, region, needed_by=needed)["reference"]))
    seen, cursor = [], None
    while True:
        path = "/coordination/requests?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = body_of(send(client, "GET", path, token=hub_token))
        assert len(page["requests"]) <= 2
        seen.extend((r["region"], r["needed_by"], r["reference"]) for r in page["requests"])
        cursor = page["cursor"]
        if not cursor:
            break
    expected = sorted(made, key=lambda m: (regions.index(m[0]), m[1]))
    assert seen == expected
    bad = send(client, "GET", "/coordination/requests?cursor=abc", token=hub_token)
    assert bad.status_code == 400 and "cursor" in body_of(bad)["fields"]


def test_coordinator_answers_and_logs_hold_no_personal_data(client, setup, hub_token,
                                                           app_logs):
    request, site = setup
    ref = request["reference"]
    made = body_of(allocate(client, hub_token, ref, site["id"], 2))
    bodies = [send(client, "GET", path, token=hub_token).body.decode() for path in (
        "/coordination/requests", f"/coordination/requests/{ref}", "/coordination/sites")]
    bodies.append(json.dumps(made))
    for text in bodies + list(app_logs):
        for value in ("Jeanne", "jeanne.martin", "+33 2 31", "Côte de Nacre", "Lefèvre",
                      "Ali Benali", "ali.benali", "Fablab du Havre"):
            assert value not in text
        assert hub_token.split(".")[1] not in text


# ------------------------------------------------------------------ kits: a multi-site chain

KIT = """
[kits.shield-kit]
parts = { visor-headband = 1, ear-saver = 2 }
"""


def test_a_kit_is_made_by_part_sites_and_assembled(client, table, api_env, tmp_path,
                                                   regions, hub_token):
    """A kit's parts go to sites offering each part; an assembling site (offering the kit)
    can report no more kits produced than complete sets of parts shipped to it; the
    requester confirms the kits."""
    from api_helpers import TEST_HUB, write_hub

    api_env.setenv("USINE_HUB_CONFIG",
                   str(write_hub(tmp_path / "kit-hub.toml", TEST_HUB + KIT)))
    request = new_request(client, regions[0], quantity=3, design="shield-kit",
                          items=[{"design": "shield-kit", "quantity": 3}])
    ref = request["reference"]
    printer = new_site(client, regions[0])  # offers visor-headband (m) and ear-saver
    assembler = new_site(client, regions[1], offers=[
        {"design": "shield-kit", "units_per_day": 50}])
    detail = body_of(send(client, "GET", f"/coordination/requests/{ref}", token=hub_token))
    assert detail["items"][0]["parts"]["ear-saver"]["per_kit"] == 2

    # Parts: at most units per kit x kits; to a site that offers the part.
    too_many = allocate(client, hub_token, ref, printer["id"], 7, part="ear-saver")
    assert too_many.status_code == 409 and body_of(too_many)["error"] == "over_allocated"
    assert allocate(client, hub_token, ref, assembler["id"], 3,
                    part="visor-headband").status_code == 409  # not a headband maker
    wrong = allocate(client, hub_token, ref, printer["id"], 1, part="plexibox")
    assert wrong.status_code == 400 and "part" in body_of(wrong)["fields"]
    bands = body_of(allocate(client, hub_token, ref, printer["id"], 3, part="visor-headband"))
    savers = body_of(allocate(client, hub_token, ref, printer["id"], 6, part="ear-saver"))
    # The assembly: to a site offering the kit itself, at most the kits requested.
    assert allocate(client, hub_token, ref, printer["id"], 3).status_code == 409
    assembly = body_of(allocate(client, hub_token, ref, assembler["id"], 3))

    act(client, assembler["edit_token"], assembly["id"], "accept")
    for made in (bands, savers):
        act(client, printer["edit_token"], made["id"], "accept")
    # Two headbands and four ear-savers shipped to the assembler: two kits' worth.
    for made, count in ((bands, 2), (savers, 4)):
        for step in ("produced", "shipped"):
            assert act(client, printer["edit_token"], made["id"], step,
                       count=count).status_code == 200
    early = act(client, assembler["edit_token"], assembly["id"], "produced", count=3)
    assert early.status_code == 400 and body_of(early)["error"] == "bad_count"
    assert "2" in body_of(early)["fields"]["count"]
    assert act(client, assembler["edit_token"], assembly["id"], "produced",
               count=2).status_code == 200
    # A part is never "delivered" to the requester: the kit is.
    refused = send(client, "POST", f"/requests/{ref}/receipts",
                   {"allocation": bands["id"], "received": 2}, token=request["tracking_token"])
    assert refused.status_code == 409
    act(client, assembler["edit_token"], assembly["id"], "shipped", count=2)
    confirmed = send(client, "POST", f"/requests/{ref}/receipts",
                     {"allocation": assembly["id"], "received": 2},
                     token=request["tracking_token"])
    assert confirmed.status_code == 200
    progress = body_of(send(client, "GET", f"/requests/{ref}", token=request["tracking_token"]))
    assert progress["items"][0]["delivered"] == 2 and progress["status"] == "in_progress"


def test_a_retried_allocation_with_its_key_allocates_once_and_mails_once(
        client, setup, hub_token, smtp_server):
    request, site = setup
    body = {"reference": request["reference"], "item": 0, "site": site["id"], "quantity": 4}
    key = {"Idempotency-Key": "coordinator-click-0001"}
    first = send(client, "POST", "/coordination/allocations", body, token=hub_token,
                 headers=key)
    again = send(client, "POST", "/coordination/allocations", body, token=hub_token,
                 headers=key)
    assert first.status_code == again.status_code == 201
    assert body_of(first)["id"] == body_of(again)["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    detail = body_of(send(client, "GET", f"/coordination/requests/{request['reference']}",
                          token=hub_token))
    assert len(detail["allocations"]) == 1 and detail["items"][0]["allocated"] == 4
    assert len(smtp_server.wait_for(1)) == 1
    other = send(client, "POST", "/coordination/allocations", {**body, "quantity": 5},
                 token=hub_token, headers=key)
    assert other.status_code == 409 and body_of(other)["error"] == "idempotency_conflict"
    assert len(smtp_server.messages) == 1
