"""Expired data is never served: DynamoDB's TTL deletes up to two days late, so every read
checks ``expires_at`` itself. A maker's public capacity expires with its window."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from api_helpers import body_of, maker_body, post, send, today, valid_body


def sign_up(client, body=None):
    response = send(client, "POST", "/makers", body or maker_body())
    assert response.status_code == 201, response.body
    return body_of(response)


def expire(table, key):
    """What TTL would do late: the item is still there, its time is over."""
    table.update_item(Key=key, UpdateExpression="SET expires_at = :t",
                      ExpressionAttributeValues={":t": int(time.time()) - 1})


def test_a_maker_item_past_its_window_is_not_served(client, table):
    data = sign_up(client)
    path, token = f"/makers/{data['id']}", data["edit_token"]
    assert send(client, "GET", path, token=token).status_code == 200
    expire(table, {"pk": f"MAKER#{data['id']}", "sk": "MAKER"})
    assert table.get_item(Key={"pk": f"MAKER#{data['id']}", "sk": "MAKER"}).get("Item")
    for method, body in (("GET", None), ("PUT", maker_body()), ("DELETE", None)):
        response = send(client, method, path, body, token=token)
        assert response.status_code == 404, (method, response.body)


def test_an_expired_personal_item_is_not_served(client, table):
    data = sign_up(client)
    expire(table, {"pk": f"PERSONAL#{data['id']}", "sk": "MAKER"})
    record = body_of(send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"]))
    assert record["contact"] == {} and record["name"] == "" and record["postcode"] == ""


def test_an_expired_request_contact_is_not_served(client, table):
    from chalicelib.store import RequestStore

    reference = body_of(post(client, valid_body()))["reference"]
    store = RequestStore(table)
    assert store.get_personal(reference)["contact"]["name"] == "Jeanne Martin"
    expire(table, {"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})
    assert store.get_personal(reference) is None


@pytest.mark.parametrize("days", [0, 30])
def test_public_maker_item_expires_when_its_window_is_over_everywhere(client, table, days):
    until = today() + timedelta(days=days)
    data = sign_up(client, maker_body(availability={"from": today().isoformat(),
                                                     "until": until.isoformat()}))
    item = table.get_item(Key={"pk": f"MAKER#{data['id']}", "sk": "MAKER"})["Item"]
    # The end of `until` in the last time zone to see it end (UTC-12) is noon UTC the
    # next day: the window is still open anywhere on Earth one second before.
    end = datetime(until.year, until.month, until.day, 23, 59, 59,
                   tzinfo=timezone(timedelta(hours=-12)))
    assert int(item["expires_at"]) == int(end.timestamp())
    personal = table.get_item(Key={"pk": f"PERSONAL#{data['id']}", "sk": "MAKER"})["Item"]
    assert int(personal["expires_at"]) == int((end + timedelta(days=90)).timestamp())


def test_open_ended_capacity_expires_a_year_after_its_last_update(client, table):
    data = sign_up(client, maker_body(availability={"from": today().isoformat()}))
    item = table.get_item(Key={"pk": f"MAKER#{data['id']}", "sk": "MAKER"})["Item"]
    year = timedelta(days=365).total_seconds()
    assert abs(int(item["expires_at"]) - (time.time() + year)) < 60


def test_closing_a_request_whose_contact_expired_closes_it_and_keeps_nothing(client, table):
    from chalicelib.store import RequestStore

    reference = body_of(post(client, valid_body()))["reference"]
    expire(table, {"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})
    store = RequestStore(table)
    assert store.close(reference) is True
    assert store.get_public(reference)["status"] == "closed"
    personal = table.get_item(Key={"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})["Item"]
    assert int(personal["expires_at"]) < time.time()  # not given 90 more days
    table.delete_item(Key={"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})  # TTL's work
    second = body_of(post(client, valid_body()))["reference"]
    table.delete_item(Key={"pk": f"PERSONAL#{second}", "sk": "REQUEST"})
    assert store.close(second) is True
