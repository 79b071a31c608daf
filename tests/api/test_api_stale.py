"""Stale requests (chalicelib/stale.py) on moto with a real SMTP server: the daily sweep
asks once, a reconfirmation resets the clock, no answer expires the request (unless a site
is working on it), overdue requests are counted; the requester's answer and its auth.
Time is driven with the sweep's ``now``, never slept."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import pytest

from api_helpers import body_of, send
from coordination_helpers import allocate, hub_regions, issue, new_request, new_site

URL = re.compile(r"https?://\S+")


@pytest.fixture
def regions(hub):
    return hub_regions(hub)


@pytest.fixture
def hub_config(hub, api_env):
    from chalicelib import config

    return config.load_hub(hub)


@pytest.fixture
def sweep(table, hub_config, smtp_server):
    """``sweep(days)``: run the sweep ``days`` after now; returns its counts."""
    from chalicelib import config, notify, stale

    def run(days: float) -> dict:
        now = datetime.now(timezone.utc) + timedelta(days=days)
        return stale.sweep(table, hub_config, now, notify.Notifier(config.settings()))

    return run


def reconfirm(client, reference, token, still_needed=True):
    return send(client, "POST", f"/requests/{reference}/reconfirm",
                {"still_needed": still_needed}, token=token)


def link_token(message) -> tuple[str, str]:
    """(reference, token) of the e-mail's link; the token is in the fragment only."""
    body = message.get_content()
    (url,) = URL.findall(body)
    parts = urlsplit(url)
    assert parts.query == "" and "token" not in parts.path
    values = dict(p.split("=", 1) for p in parts.fragment.split("&"))
    token = unquote(values["token"])
    assert body.count(token) == 1 and token not in message["Subject"]
    return unquote(values["ref"]), token


def open_count(client) -> int:
    stats = body_of(send(client, "GET", "/stats"))
    return sum(r["open_requests"] for r in stats["requests"])


def stored(table, reference):
    return table.get_item(Key={"pk": "REQUEST#" + reference, "sk": "REQUEST"},
                          ConsistentRead=True)["Item"]


def audit_actions(table, reference, days=0):
    from chalicelib import audit

    day = (datetime.now(timezone.utc) + timedelta(days=days)).date()
    return [(e["actor"], e["action"]) for e in audit.read(table, day, None, 100)[0]
            if reference in e["records"]]


# ------------------------------------------------------------------ the sweep


def test_a_request_is_asked_once_after_the_period(client, table, regions, hub_config, sweep,
                                                  smtp_server):
    request = new_request(client, regions[0])
    ref = request["reference"]
    before = sweep(hub_config.reconfirm_after_days - 1)
    assert before["open"] == 1 and before["asked"] == 0
    assert smtp_server.messages == []

    counts = sweep(hub_config.reconfirm_after_days)
    assert counts["asked"] == 1 and counts["mailed"] == 1
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "jeanne.martin@chu-caen.example"
    assert link_token(message)[0] == ref
    item = stored(table, ref)
    assert item["reconfirm_asked_at"] and item["reconfirm_by"]
    asked_at = datetime.fromisoformat(item["reconfirm_asked_at"].replace("Z", "+00:00"))
    by = datetime.fromisoformat(item["reconfirm_by"].replace("Z", "+00:00"))
    assert by - asked_at == timedelta(days=hub_config.reconfirm_grace_days)
    assert ("system", "reconfirm_asked") in audit_actions(
        table, ref, hub_config.reconfirm_after_days)

    # Idempotent: the same day again (and the next) sends nothing more.
    again = sweep(hub_config.reconfirm_after_days + 0.1)
    assert again["asked"] == 0 and again["expired"] == 0
    sweep(hub_config.reconfirm_after_days + 1)
    assert len(smtp_server.messages) == 1
    # Coordinators see the question pending.
    token = issue(table)
    listed = body_of(send(client, "GET", "/coordination/requests", token=token))["requests"]
    assert listed[0]["reference"] == ref and listed[0]["reconfirm_asked_at"]


def test_reconfirming_with_the_link_clears_the_question_and_restarts_the_clock(
        client, table, regions, hub_config, sweep, smtp_server):
    ref = new_request(client, regions[0])["reference"]
    period, grace = hub_config.reconfirm_after_days, hub_config.reconfirm_grace_days
    sweep(period)
    (message,) = smtp_server.wait_for(1)
    _, token = link_token(message)

    answer = reconfirm(client, ref, token)
    assert answer.status_code == 200, answer.body
    body = body_of(answer)
    assert body["reference"] == ref and body["status"] == "submitted"
    assert body["reconfirmed_at"]
    item = stored(table, ref)
    assert "reconfirm_asked_at" not in item and "reconfirm_by" not in item
    assert item["reconfirmed_at"] == body["reconfirmed_at"]
    assert ("requester:" + ref, "reconfirm") in audit_actions(table, ref)

    # Reconfirmed (the test's "now"): not asked again before a new period, then asked
    # afresh rather than expired, though the old deadline has passed.
    assert sweep(period - 1)["asked"] == 0
    later = sweep(period + grace + 1)
    assert later["expired"] == 0 and later["asked"] == 1
    assert stored(table, ref)["status"] == "submitted"
    assert len(smtp_server.wait_for(2)) == 2


def test_no_answer_after_the_grace_expires_the_request(client, table, regions, hub_config,
                                                       sweep):
    ref = new_request(client, regions[0])["reference"]
    second = new_request(client, regions[1])
    kept = second["reference"]
    assert open_count(client) == 2
    period, grace = hub_config.reconfirm_after_days, hub_config.reconfirm_grace_days
    assert sweep(period)["asked"] == 2
    assert sweep(period + grace - 0.5)["expired"] == 0
    # The second requester answers; the first does not.
    assert reconfirm(client, kept, second["tracking_token"]).status_code == 200
    counts = sweep(period + grace + 0.5)
    assert counts["expired"] == 1 and counts["open"] == 2
    item = stored(table, ref)
    assert item["status"] == "expired" and item["close_reason"] == "not_reconfirmed"
    assert "list_pk" not in item  # off the open list
    token = issue(table)
    listed = body_of(send(client, "GET", "/coordination/requests", token=token))["requests"]
    assert [r["reference"] for r in listed] == [kept]
    assert open_count(client) == 1
    assert ("system", "expire") in audit_actions(table, ref, period + grace + 0.5)
    assert sweep(period + grace + 1)["expired"] == 0  # once


def test_a_request_with_an_allocation_in_progress_is_not_expired(client, table, regions,
                                                                 hub_config, sweep):
    ref = new_request(client, regions[0], quantity=10)["reference"]
    site = new_site(client, regions[0])
    token = issue(table)
    assert allocate(client, token, ref, site["id"], 4).status_code == 201
    period, grace = hub_config.reconfirm_after_days, hub_config.reconfirm_grace_days
    assert sweep(period)["asked"] == 1
    counts = sweep(period + grace + 1)
    assert counts["expired"] == 0 and counts["kept_in_progress"] == 1
    assert stored(table, ref)["status"] == "submitted"


def test_overdue_requests_are_counted(client, table, regions, sweep):
    new_request(client, regions[0])  # needed in 10 days (valid_body)
    new_request(client, regions[1])
    assert sweep(5)["overdue"] == 0
    assert sweep(11)["overdue"] == 2


def test_the_schedule_runs_the_sweep(client, table, regions, smtp_server):
    new_request(client, regions[0])
    event = client.events.generate_cw_event(source="aws.events",
                                            detail_type="Scheduled Event", detail={},
                                            resources=[])
    result = client.lambda_.invoke("stale_requests", event)
    assert result.payload["open"] == 1 and result.payload["asked"] == 0


# ------------------------------------------------------------------ the requester's answer


def test_not_needed_any_more_closes_the_request(client, table, regions):
    request = new_request(client, regions[0])
    ref = request["reference"]
    answer = reconfirm(client, ref, request["tracking_token"], still_needed=False)
    assert answer.status_code == 200, answer.body
    assert body_of(answer) == {"reference": ref, "status": "closed"}
    item = stored(table, ref)
    assert item["status"] == "closed" and item["close_reason"] == "not_needed"
    assert open_count(client) == 0
    again = reconfirm(client, ref, request["tracking_token"], still_needed=False)
    assert again.status_code == 409 and body_of(again)["error"] == "not_open"


def test_not_needed_with_an_allocation_in_progress_is_refused(client, table, regions):
    request = new_request(client, regions[0])
    site = new_site(client, regions[0])
    assert allocate(client, issue(table), request["reference"], site["id"],
                    3).status_code == 201
    answer = reconfirm(client, request["reference"], request["tracking_token"], False)
    assert answer.status_code == 409 and body_of(answer)["error"] == "has_allocations"
    assert stored(table, request["reference"])["status"] == "submitted"


def test_reconfirm_needs_the_requests_own_token(client, table, regions):
    request = new_request(client, regions[0])
    other = new_request(client, regions[0])
    ref = request["reference"]
    for token in (None, "not-the-token", other["tracking_token"]):
        answer = reconfirm(client, ref, token)
        assert answer.status_code == 404, (token, answer.body)
    assert reconfirm(client, "R-00000000", request["tracking_token"]).status_code == 404
    assert "reconfirmed_at" not in stored(table, ref)
    for body in ({}, {"still_needed": "maybe"}, {"still_needed": True, "why": "x"}):
        bad = send(client, "POST", f"/requests/{ref}/reconfirm", body,
                   token=request["tracking_token"])
        assert bad.status_code == 400, body
    assert reconfirm(client, ref, request["tracking_token"]).status_code == 200


# ------------------------------------------------------------------ hub.toml


def test_periods_come_from_hub_toml_with_defaults(tmp_path):
    from api_helpers import TEST_HUB
    from chalicelib import config

    bare = tmp_path / "bare.toml"
    bare.write_text(TEST_HUB.replace("[coordination]", "[unused]"))
    hub = config.load_hub(bare)
    assert (hub.reconfirm_after_days, hub.reconfirm_grace_days) == (14, 5)
    custom = tmp_path / "custom.toml"
    custom.write_text(TEST_HUB.replace("reconfirm_grace_days = 5", "reconfirm_grace_days = 9"))
    assert config.load_hub(custom).reconfirm_grace_days == 9
    for bad in ("0", "-3", '"14"', "2.5", "true", "1000"):
        path = tmp_path / f"bad{len(bad)}{bad[:1]}.toml"
        path.write_text(TEST_HUB.replace("reconfirm_after_days = 14",
                                         f"reconfirm_after_days = {bad}"))
        with pytest.raises(config.ConfigError, match="reconfirm_after_days"):
            config.load_hub(path)


def test_every_scheduled_function_gets_the_api_handlers_settings(app_module):
    """A new @app.schedule must be listed in iac.py, else it would be packaged with the
    stage's policy file and no key, logs or skips of its own."""
    import iac
    from chalice.utils import to_cfn_resource_name

    scheduled = {to_cfn_resource_name(source.name) for source in app_module.app.event_sources}
    assert scheduled == set(iac.SCHEDULED_FUNCTIONS) == {"StaleRequests"}
    merged = iac.merge_template("https://prod.example.org")["Resources"]
    for name, role in iac.SCHEDULED_FUNCTIONS.items():
        assert merged[name]["Properties"]["KmsKeyArn"] == merged[iac.FUNCTION_RESOURCE][
            "Properties"]["KmsKeyArn"]
        assert merged[role]["Properties"]["Policies"][0]["PolicyDocument"] == merged[
            iac.ROLE_RESOURCE]["Properties"]["Policies"][0]["PolicyDocument"]
