"""POST/GET/PUT/DELETE /makers, GET /designs, GET /stats, GET /openapi.json (moto)."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from api_helpers import (
    MAKER_PERSONAL_VALUES, body_of, count_items, count_records, maker_body, post, send,
    stored_contact, today, valid_body,
)


def items_of(table, prefix):
    return [i for i in table.scan(ConsistentRead=True)["Items"] if i["pk"].startswith(prefix)]


def sign_up(client, body=None, **headers):
    response = send(client, "POST", "/makers", body or maker_body(), headers=headers)
    assert response.status_code == 201, response.body
    return body_of(response)


# ------------------------------------------------------------------ sign-up


def test_sign_up_answers_id_and_edit_token_and_stores_two_items(client, table):
    data = sign_up(client)
    assert set(data) == {"id", "status", "edit_token"}
    assert data["id"].startswith("M-") and data["status"] == "active"
    assert count_records(table) == 2
    (public,) = items_of(table, "MAKER#")
    (personal,) = items_of(table, "PERSONAL#")
    text = json.dumps(public, default=str)
    for value in MAKER_PERSONAL_VALUES:
        assert value not in text
    assert data["edit_token"] not in json.dumps(table.scan()["Items"], default=str)
    assert personal["contact"]["email"] == "ali.benali@fablab-havre.example"
    assert personal["postcode"] == "76600" and int(personal["expires_at"]) > 0
    assert public["offers"][0] == {"design": "visor-headband", "variant": "m",
                                   "units_per_day": 40}


def test_maker_reads_back_its_own_sign_up(client, table):
    body = maker_body()
    data = sign_up(client, body)
    response = send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"])
    assert response.status_code == 200
    record = body_of(response)
    assert record["id"] == data["id"] and record["status"] == "active"
    for name in ("name", "kind", "region", "postcode", "materials", "availability"):
        assert record[name] == body[name], name
    assert record["contact"] == stored_contact(body["contact"])
    assert record["machines"] == body["machines"]
    assert record["offers"][1] == {"design": "ear-saver", "variant": None, "units_per_day": 100}
    assert "token_hash" not in record


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("case", ["wrong-token", "no-token", "unknown-id", "malformed-id"])
def test_maker_routes_answer_the_same_404(client, table, method, case):
    data = sign_up(client)
    maker_id, token = data["id"], data["edit_token"]
    if case == "wrong-token":
        token = "y" * 32
    elif case == "no-token":
        token = None
    elif case == "unknown-id":
        maker_id = "M-00000000"
    else:
        maker_id = "R-" + maker_id[2:]
    body = maker_body() if method == "PUT" else None
    response = send(client, method, f"/makers/{maker_id}", body, token=token)
    assert response.status_code == 404
    assert body_of(response)["error"] == "not_found"
    assert len(items_of(table, "PERSONAL#")) == 1  # nothing deleted


def test_update_replaces_the_sign_up(client, table):
    data = sign_up(client)
    changed = maker_body(offers=[{"design": "visor-headband", "units_per_day": 120}],
                         region="Westmoor")
    changed["contact"] = {**changed["contact"], "phone": None}
    response = send(client, "PUT", f"/makers/{data['id']}", changed, token=data["edit_token"])
    assert response.status_code == 200, response.body
    record = body_of(send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"]))
    assert record["offers"] == [{"design": "visor-headband", "variant": None,
                                 "units_per_day": 120}]
    assert record["region"] == "Westmoor" and record["contact"]["phone"] is None
    assert count_records(table) == 2


def test_update_is_validated_like_a_sign_up(client, table):
    data = sign_up(client)
    bad = maker_body(offers=[{"design": "visor-headband", "units_per_day": 0}])
    response = send(client, "PUT", f"/makers/{data['id']}", bad, token=data["edit_token"],
                    headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert body_of(response)["fields"] == {"offers.0.units_per_day": "doit être au moins 1"}


def test_withdrawal_deletes_personal_data_at_once_and_keeps_counts(client, table):
    data = sign_up(client)
    response = send(client, "DELETE", f"/makers/{data['id']}", token=data["edit_token"])
    assert response.status_code == 200
    assert body_of(response) == {"id": data["id"], "status": "withdrawn"}
    assert items_of(table, "PERSONAL#") == []
    (anonymous,) = items_of(table, "MAKER#")
    assert anonymous["status"] == "withdrawn"
    assert anonymous["machine_counts"] == {"fdm": 4, "laser": 1}
    assert anonymous["region"] == "Rivermouth" and anonymous["maker_kind"] == "fablab"
    for gone in ("token_hash", "offers", "machines", "materials"):
        assert gone not in anonymous
    text = json.dumps(anonymous, default=str)
    for value in MAKER_PERSONAL_VALUES:
        assert value not in text
    # The token no longer works, and the stats count the withdrawal, not the capacity.
    assert send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"]).status_code == 404
    stats = body_of(client.http.get("/stats"))
    assert stats["makers"] == {"active": 0, "withdrawn": 1}
    assert stats["capacity"] == []


@pytest.mark.parametrize("mutate, path, code", [
    (lambda b: b.update(kind="club"), "kind", "literal_error"),
    (lambda b: b["machines"][0].update(technology="cnc-5axis"), "machines.0.technology",
     "literal_error"),
    (lambda b: b["machines"][0].update(count=0), "machines.0.count", "greater_than_equal"),
    (lambda b: b["machines"][0].update(build_volume_mm=[200, 200]),
     "machines.0.build_volume_mm", "too_short"),
    (lambda b: b.update(machines=[]), "machines", "too_short"),
    (lambda b: b.update(offers=[]), "offers", "too_short"),
    (lambda b: b["offers"][0].update(design="nope"), "offers.0.design", "design"),
    (lambda b: b["offers"][0].update(variant="xxl"), "offers.0.variant", "variant"),
    (lambda b: b["offers"][0].update(units_per_day=100001), "offers.0.units_per_day",
     "less_than_equal"),
    (lambda b: b["offers"][0].update(units_per_day="40"), "offers.0.units_per_day", "int_type"),
    (lambda b: b["availability"].update(until="2000-01-01"), "availability.until", "date_past"),
    (lambda b: b["availability"].update({"from": "2000-01-01"}), "availability.from",
     "date_past"),
    (lambda b: b.update(region="Bretagne"), "region", "region"),
    (lambda b: b["contact"].update(email="nope"), "contact.email", "email"),
    (lambda b: b.update(consent=False), "consent", "consent"),
    (lambda b: b.update(materials=["x" * 61]), "materials.0", "string_too_long"),
    (lambda b: b.update(extra=1), "body", "extra_forbidden"),
])
def test_invalid_sign_up_is_400_per_field(client, table, mutate, path, code):
    body = copy.deepcopy(maker_body())
    mutate(body)
    response = send(client, "POST", "/makers", body)
    assert response.status_code == 400, response.body
    assert body_of(response)["codes"].get(path) == code, body_of(response)
    assert count_items(table) == 0


def test_sign_up_idempotency_and_honeypot(client, table):
    key = str(uuid.uuid4())
    first = sign_up(client, maker_body(), **{"Idempotency-Key": key})
    again = sign_up(client, maker_body(), **{"Idempotency-Key": key})
    assert again == first
    assert len(items_of(table, "MAKER#")) == 1
    other = send(client, "POST", "/makers", maker_body(name="Autre"),
                 headers={"Idempotency-Key": key})
    assert other.status_code == 409
    robot = sign_up(client, maker_body(website="buy"))
    assert robot["id"].startswith("M-")
    assert len(items_of(table, "MAKER#")) == 1


def test_open_ended_availability_is_accepted(client, table):
    sign_up(client, maker_body(availability={"from": today().isoformat()}))


# ------------------------------------------------------------------ designs, stats


def test_designs_come_from_the_manifest(client):
    response = client.http.get("/designs")
    assert response.status_code == 200
    data = body_of(response)
    assert [d["slug"] for d in data["designs"]] == ["ear-saver", "visor-headband"]
    assert data["designs"][1] == {"slug": "visor-headband", "technology": "fdm",
                                  "status": "prototype", "version": "0.1.0",
                                  "variants": ["s", "m", "l"]}


def test_stats_aggregate_requests_and_capacity(client, table):
    post(client, valid_body())
    body = valid_body(items=[{"design": "visor-headband", "quantity": 50},
                             {"design": "ear-saver", "quantity": 10}])
    post(client, body)
    sign_up(client)
    sign_up(client, maker_body(offers=[{"design": "visor-headband", "units_per_day": 10}]))
    data = body_of(client.http.get("/stats"))
    assert data["requests"] == [
        {"design": "ear-saver", "region": "Northshire", "open_requests": 1, "quantity_open": 10,
         "quantity_delivered": 0},
        {"design": "visor-headband", "region": "Northshire", "open_requests": 2,
         "quantity_open": 250, "quantity_delivered": 0},
    ]
    assert data["capacity"] == [
        {"design": "ear-saver", "region": "Rivermouth", "makers": 1, "units_per_day": 100},
        {"design": "visor-headband", "region": "Rivermouth", "makers": 2,
         "units_per_day": 50},
    ]
    assert data["makers"] == {"active": 2, "withdrawn": 0}
    assert data["delivered"] == [{"design": "ear-saver", "quantity": 0},
                                 {"design": "visor-headband", "quantity": 0}]


def test_stats_never_leak_personal_fields(client, table):
    post(client, valid_body())
    sign_up(client)
    text = client.http.get("/stats").body.decode()
    for value in MAKER_PERSONAL_VALUES + ("Jeanne", "jeanne.martin", "Nacre", "CHU de Caen",
                                          "14000", "Lefèvre"):
        assert value not in text


# ------------------------------------------------------------------ openapi


def test_openapi_document_is_served_and_matches_the_models(client, app_module):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    doc = body_of(response)
    assert doc["openapi"].startswith("3.1")
    # Every operation of the app is documented, and nothing else (OPTIONS are CORS only).
    routes = {(path, method.lower()) for path, methods in app_module.app.routes.items()
              for method in methods if method != "OPTIONS" and path != "/openapi.json"}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == routes
    coordinated = {path for path, ops in doc["paths"].items()
                   if any(op.get("security") == [{"coordinator": []}] for op in ops.values())}
    assert coordinated == {path for path, _ in routes if path.startswith("/coordination/")}
    schemas = doc["components"]["schemas"]
    assert schemas["PartRequest"]["additionalProperties"] is False
    assert schemas["Item"]["properties"]["quantity"]["maximum"] == 100000
    assert set(schemas["MakerSignup"]["required"]) >= {"name", "kind", "contact", "offers"}
    assert schemas["Delivery"]["properties"]["region"]["examples"][0] == "Northshire"


def test_openapi_document_function_for_the_site():
    from chalicelib.openapi import openapi_document

    doc = openapi_document()
    json.dumps(doc)  # JSON-ready
    assert "/makers/{maker_id}" in doc["paths"]


def test_preflight_of_each_path_allows_the_forms_headers(client):
    for path, method in (("/requests", "POST"), ("/requests/R-00000000", "GET"),
                         ("/makers", "POST"), ("/makers/M-00000000", "PUT")):
        response = client.http.request("OPTIONS", path, headers={}, body=b"")
        assert response.status_code == 204
        assert method in response.headers["Access-Control-Allow-Methods"]
        allowed = response.headers["Access-Control-Allow-Headers"]
        assert "Idempotency-Key" in allowed and "Authorization" in allowed
