"""POST /requests through chalice.test.Client on moto: answers, stored items, CORS, logs."""

from __future__ import annotations

import json
import re
import time
from datetime import date

from api_helpers import (
    ORIGIN, REGIONS, body_of, count_items, count_records, post, stored_contact, valid_body,
    write_manifest,
)

REFERENCE = re.compile(r"^R-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$")
PERSONAL_VALUES = ("Jeanne Martin", "jeanne.martin@chu-caen.example", "+33 2 31 06 31 06",
                   "+33231063106", "Côte de Nacre", "Lefèvre")  # the phone as sent and stored


def test_valid_request_is_created(client, table):
    response = post(client, valid_body())
    assert response.status_code == 201, response.body
    data = body_of(response)
    assert set(data) == {"reference", "status", "tracking_token"}
    assert len(data["tracking_token"]) == 32
    assert REFERENCE.match(data["reference"])
    assert data["status"] == "submitted"
    assert response.headers["Content-Type"] == "application/json"
    assert count_records(table) == 2


def test_public_and_personal_data_are_stored_apart(client, table):
    body = valid_body()
    reference = body_of(post(client, body))["reference"]

    public = table.get_item(Key={"pk": f"REQUEST#{reference}", "sk": "REQUEST"})["Item"]
    personal = table.get_item(Key={"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})["Item"]

    assert public["reference"] == personal["reference"] == reference
    assert public["status"] == "submitted"
    assert public["organization"] == {"name": "CHU de Caen", "type": "hospital"}
    assert public["region"] == REGIONS[0] and public["postcode"] == "14000"
    assert public["items"] == [{"design": "visor-headband", "variant": None, "quantity": 200,
                                "allocated": 0, "produced": 0, "shipped": 0,
                                "delivered": 0}]
    assert public["needed_by"] == body["needed_by"]
    assert "expires_at" not in public
    public_text = json.dumps(public, default=str)
    for value in PERSONAL_VALUES:
        assert value not in public_text

    assert personal["contact"] == stored_contact(body["contact"])
    assert personal["address"] == body["delivery"]["address"]
    assert personal["notes"] == body["notes"]
    # TTL: epoch seconds, after the need date (kept while the request is live).
    expires = int(personal["expires_at"])
    needed = time.mktime(date.fromisoformat(body["needed_by"]).timetuple())
    assert expires > needed > time.time()
    assert count_records(table) == 2


def test_each_request_gets_its_own_reference(client, table):
    refs = {body_of(post(client, valid_body()))["reference"] for _ in range(5)}
    assert len(refs) == 5
    assert count_records(table) == 10


def test_request_without_notes_stores_no_notes(client, table):
    body = valid_body()
    del body["notes"]
    reference = body_of(post(client, body))["reference"]
    personal = table.get_item(Key={"pk": f"PERSONAL#{reference}", "sk": "REQUEST"})["Item"]
    assert "notes" not in personal


# ---------------------------------------------------------------------- CORS


def test_answers_carry_the_configured_origin(client, table):
    for response in (
        post(client, valid_body()),                              # 201
        post(client, valid_body(consent=False)),                 # 400
        post(client, "{", headers={"Content-Type": "application/json"}),  # 400
        post(client, "x", headers={"Content-Type": "text/plain"}),        # 415
        client.http.get("/requests"),                            # 405 from Chalice
    ):
        assert response.headers.get("Access-Control-Allow-Origin") == ORIGIN, response.status_code
        assert body_of(response).get("error") or response.status_code == 201


def test_chalice_errors_are_rewritten_in_the_api_shape(client):
    response = client.http.get("/requests")
    assert response.status_code == 405
    assert body_of(response)["error"] == "method_not_allowed"
    assert "message" in body_of(response)


def test_preflight_allows_the_form_to_post_json(client):
    response = client.http.request(
        "OPTIONS", "/requests",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "idempotency-key" in allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_origin_is_read_at_request_time(client, api_env):
    api_env.setenv("USINE_SITE_ORIGIN", "http://127.0.0.1:5555/")
    assert post(client, valid_body()).headers["Access-Control-Allow-Origin"] == \
        "http://127.0.0.1:5555"
    api_env.delenv("USINE_SITE_ORIGIN")
    # Without the override: hub.toml's [stages.local] site_origin (the test hub's).
    assert post(client, valid_body()).headers["Access-Control-Allow-Origin"] == \
        "http://127.0.0.1:8000"


# ---------------------------------------------------------- the hub's own files


def test_regions_come_from_the_hub_config(client, table, api_env, tmp_path):
    hub = tmp_path / "hub.toml"
    hub.write_text('[hub]\nname = "Usine Maroc"\nregions = ["Casablanca-Settat", "Souss-Massa"]\n'
                   '[stages.local]\nsite_origin = "http://127.0.0.1:8000"\n')
    api_env.setenv("USINE_HUB_CONFIG", str(hub))
    body = valid_body()
    assert "delivery.region" in body_of(post(client, body))["fields"]
    body["delivery"]["region"] = "Souss-Massa"
    assert post(client, body).status_code == 201


def test_designs_come_from_the_manifest(client, table, api_env, tmp_path):
    api_env.setenv("USINE_MANIFEST", str(write_manifest(tmp_path / "m.json", ["ear-saver"])))
    assert "items.0.design" in body_of(post(client, valid_body()))["fields"]
    body = valid_body(items=[{"design": "ear-saver", "quantity": 5}])
    assert post(client, body).status_code == 201


def test_missing_manifest_is_503_and_stores_nothing(client, table, api_env, tmp_path,
                                                    app_logs):
    api_env.setenv("USINE_MANIFEST", str(tmp_path / "absent.json"))
    response = post(client, valid_body())
    assert response.status_code == 503
    assert body_of(response)["error"] == "unavailable"
    assert "absent.json" not in response.body.decode()  # paths stay in the logs
    assert any("absent.json" in line for line in app_logs)
    assert count_items(table) == 0


def test_storage_failure_is_503(client, aws, moto_resource, app_logs):
    moto_resource.meta.client.delete_table(TableName="usine-local")
    response = post(client, valid_body())
    assert response.status_code == 503
    assert body_of(response)["error"] == "unavailable"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert any("ResourceNotFoundException" in line for line in app_logs)


# ---------------------------------------------------------------------- logs


def test_personal_data_never_reaches_the_logs(client, table, aws, moto_resource, app_logs):
    good = valid_body()
    bad = valid_body(consent=False)
    bad["contact"]["email"] = "jeanne.martin@chu-caen"  # invalid, still personal
    post(client, good)
    post(client, bad)
    post(client, json.dumps(good)[:-3])                  # truncated JSON
    moto_resource.meta.client.delete_table(TableName="usine-local")
    post(client, good)                                   # storage error path
    text = "\n".join(app_logs)
    assert "stored" in text and "refused" in text and "storage error" in text
    for value in PERSONAL_VALUES + ("jeanne.martin@chu-caen",):
        assert value not in text


def test_unexpected_failure_is_a_json_500_with_cors(client, table, monkeypatch):
    from chalicelib.store import RequestStore

    raised = []

    def broken(self, *args, **kwargs):  # whatever create() is called with
        raised.append("bug")
        raise ValueError("bug")

    monkeypatch.setattr(RequestStore, "create", broken)
    response = post(client, valid_body())
    assert raised == ["bug"]  # the 500 is this bug's, not a TypeError of the stub
    assert response.status_code == 500
    assert body_of(response) == {"error": "internal_error",
                                 "message": "Something went wrong on the server."}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert count_items(table) == 0
