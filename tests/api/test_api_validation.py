"""Every validation rule of POST /requests: 400, the right dotted field path, nothing stored."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from api_helpers import (
    REGIONS, body_of, count_items, count_records, post, today, valid_body, write_manifest,
)


def _set(path, value):
    """A mutation setting body[path] (dotted, list indexes as numbers)."""
    def mutate(body):
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _drop(path):
    def mutate(body):
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]
    return mutate


def _days(n):
    return (today() + timedelta(days=n)).isoformat()


CASES = [
    # (id, mutation, field path expected in "fields")
    ("organization-missing", _drop("organization"), "organization"),
    ("organization-not-object", _set("organization", "CHU"), "organization"),
    ("organization-name-blank", _set("organization.name", "   "), "organization.name"),
    ("organization-name-too-long", _set("organization.name", "x" * 201), "organization.name"),
    ("organization-name-two-lines", _set("organization.name", "CHU\nCaen"), "organization.name"),
    ("organization-name-number", _set("organization.name", 42), "organization.name"),
    ("organization-type-unknown", _set("organization.type", "school"), "organization.type"),
    ("organization-unknown-field", _set("organization.siret", "123"), "organization"),
    ("contact-name-missing", _drop("contact.name"), "contact.name"),
    ("contact-email-shape", _set("contact.email", "jeanne at chu"), "contact.email"),
    ("contact-email-no-domain", _set("contact.email", "jeanne@chu"), "contact.email"),
    ("contact-email-too-long", _set("contact.email", "a" * 250 + "@x.org"), "contact.email"),
    ("contact-phone-letters", _set("contact.phone", "call me maybe"), "contact.phone"),
    ("contact-phone-too-short", _set("contact.phone", "12 34"), "contact.phone"),
    ("contact-phone-missing", _drop("contact.phone"), "contact.phone"),
    ("delivery-region-not-in-hub", _set("delivery.region", "Bretagne"), "delivery.region"),
    ("delivery-region-missing", _drop("delivery.region"), "delivery.region"),
    ("delivery-postcode-empty", _set("delivery.postcode", ""), "delivery.postcode"),
    ("delivery-postcode-symbols", _set("delivery.postcode", "14000!"), "delivery.postcode"),
    ("delivery-postcode-too-long", _set("delivery.postcode", "1" * 13), "delivery.postcode"),
    ("delivery-address-missing", _drop("delivery.address"), "delivery.address"),
    ("delivery-address-too-long", _set("delivery.address", "x" * 501), "delivery.address"),
    ("delivery-address-control", _set("delivery.address", "1 rue\x00"), "delivery.address"),
    ("items-empty", _set("items", []), "items"),
    ("items-not-list", _set("items", {"design": "visor-headband"}), "items"),
    ("items-too-many", _set("items", [{"design": "visor-headband", "quantity": 1}] * 21),
     "items"),
    ("design-unknown", _set("items.0.design", "snorkel-adapter"), "items.0.design"),
    ("design-missing", _drop("items.0.design"), "items.0.design"),
    ("quantity-zero", _set("items.0.quantity", 0), "items.0.quantity"),
    ("quantity-negative", _set("items.0.quantity", -5), "items.0.quantity"),
    ("quantity-over-max", _set("items.0.quantity", 100001), "items.0.quantity"),
    ("quantity-string", _set("items.0.quantity", "200"), "items.0.quantity"),
    ("quantity-fraction", _set("items.0.quantity", 2.5), "items.0.quantity"),
    ("quantity-bool", _set("items.0.quantity", True), "items.0.quantity"),
    ("quantity-missing", _drop("items.0.quantity"), "items.0.quantity"),
    ("item-unknown-field", _set("items.0.colour", "blue"), "items.0"),
    ("needed-by-past", _set("needed_by", _days(-2)), "needed_by"),
    ("needed-by-format", _set("needed_by", "01/12/2026"), "needed_by"),
    ("needed-by-not-a-date", _set("needed_by", "2026-02-30"), "needed_by"),
    ("needed-by-number", _set("needed_by", 1767225600), "needed_by"),
    ("needed-by-datetime", _set("needed_by", _days(3) + "T10:00:00"), "needed_by"),
    ("needed-by-padded", _set("needed_by", " " + _days(3)), "needed_by"),
    ("needed-by-arabic-digits", _set("needed_by", "٢٠٢٦-١٢-٠١"), "needed_by"),
    ("organization-name-too-long-as-sent", _set("organization.name", " " + "x" * 200),
     "organization.name"),
    ("contact-email-control", _set("contact.email", "jeanne\x00@chu.example"), "contact.email"),
    ("contact-phone-too-many-digits", _set("contact.phone", "1" * 21), "contact.phone"),
    ("registry-id-one-character", _set("organization", {"name": "CHU", "type": "hospital",
                                                        "registry_id": "A "}),
     "organization.registry_id"),
    ("address-lone-surrogate", _set("delivery.address", "1 rue \ud800"), "delivery.address"),
    ("needed-by-too-far", _set("needed_by", _days(400)), "needed_by"),
    ("needed-by-missing", _drop("needed_by"), "needed_by"),
    ("notes-too-long", _set("notes", "x" * 2001), "notes"),
    ("consent-false", _set("consent", False), "consent"),
    ("consent-string", _set("consent", "yes"), "consent"),
    ("consent-missing", _drop("consent"), "consent"),
    ("unknown-top-level-field", _set("tracking_token", "abc"), "body"),
]


@pytest.mark.parametrize("mutate, path", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_field_is_refused_and_nothing_stored(client, table, mutate, path):
    body = copy.deepcopy(valid_body())
    mutate(body)
    response = post(client, body)
    assert response.status_code == 400, response.body
    data = body_of(response)
    assert data["error"] == "invalid_request"
    assert path in data["fields"], data
    assert data["fields"][path].strip()
    assert path in data["message"]
    assert count_items(table) == 0


def test_all_bad_fields_are_reported_at_once(client, table):
    body = valid_body(consent=False, needed_by=_days(-5))
    body["items"][0]["quantity"] = 0
    body["delivery"]["region"] = "Atlantis"
    data = body_of(post(client, body))
    assert set(data["fields"]) == {"consent", "needed_by", "items.0.quantity",
                                   "delivery.region"}
    # Codes let the site word each reason in its own language.
    assert data["codes"] == {"consent": "consent", "needed_by": "date_past",
                             "items.0.quantity": "greater_than_equal",
                             "delivery.region": "region"}
    assert count_items(table) == 0


def test_messages_are_plain_and_helpful(client):
    body = valid_body()
    body["items"][0]["quantity"] = 100001
    body["delivery"]["region"] = "Bretagne"
    body["items"].append({"design": "nope", "quantity": 1})
    body["organization"]["type"] = "school"
    fields = body_of(post(client, body))["fields"]
    assert fields["items.0.quantity"] == "must be at most 100000"
    assert all(region in fields["delivery.region"] for region in REGIONS)
    assert "visor-headband" in fields["items.1.design"]
    assert "hospital" in fields["organization.type"] and "care-home" in fields[
        "organization.type"]
    for message in fields.values():
        assert "pydantic" not in message and "Input should" not in message


def test_errors_never_echo_personal_values(client):
    body = valid_body()
    body["contact"]["email"] = "secret-person.example"
    body["contact"]["phone"] = "phone 0611"
    text = post(client, body).body.decode()
    assert "secret-person" not in text and "0611" not in text


@pytest.mark.parametrize("raw, fragment", [
    ("{not json", "not valid JSON"),
    ("", "empty"),
    ("   ", "empty"),
    (b"\xff\xfe{}", "UTF-8"),
])
def test_body_that_is_not_json_is_a_clear_400(client, table, raw, fragment):
    response = post(client, raw)
    assert response.status_code == 400
    data = body_of(response)
    assert data["error"] == "invalid_json"
    assert fragment in data["message"]
    assert count_items(table) == 0


@pytest.mark.parametrize("raw", ["[]", "42", '"text"', "null"])
def test_body_must_be_an_object(client, table, raw):
    response = post(client, raw)
    assert response.status_code == 400
    data = body_of(response)
    assert data["error"] == "invalid_request"
    assert "JSON object" in data["message"]
    assert count_items(table) == 0


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": "multipart/form-data; boundary=x"},
    {},
])
def test_wrong_or_missing_content_type_is_415(client, table, headers):
    response = post(client, json.dumps(valid_body()), headers=headers)
    assert response.status_code == 415
    data = body_of(response)
    assert data["error"] == "unsupported_media_type"
    assert "application/json" in data["message"]
    assert count_items(table) == 0


def test_oversized_body_is_413(client, table):
    body = valid_body(notes="x" * 70_000)
    response = post(client, body)
    assert response.status_code == 413
    assert body_of(response)["error"] == "payload_too_large"
    assert count_items(table) == 0


# --------------------------------------------------------------- accepted edge values

@pytest.mark.parametrize("change", [
    pytest.param(_set("items.0.quantity", 1), id="quantity-1"),
    pytest.param(_set("items.0.quantity", 100000), id="quantity-100000"),
    pytest.param(_set("needed_by", _days(0)), id="needed-by-today"),
    pytest.param(_set("needed_by", _days(366)), id="needed-by-in-a-year"),
    pytest.param(_drop("notes"), id="notes-absent"),
    pytest.param(_set("notes", ""), id="notes-empty"),
    pytest.param(_set("notes", None), id="notes-null"),
    pytest.param(_set("notes", "ligne 1\nligne 2\ttab"), id="notes-multiline"),
    pytest.param(_set("organization.type", "care-home"), id="type-care-home"),
    pytest.param(_set("contact.phone", "+33 (0)6-12.34.56.78"), id="phone-punctuation"),
    pytest.param(_set("contact.email", "prénom.nom@hôpital.example"), id="email-unicode"),
    pytest.param(_set("delivery.postcode", "SW1A 1AA"), id="postcode-letters"),
    pytest.param(_set("organization.name", "مستشفى ابن سينا"), id="arabic-name"),
    pytest.param(_set("items.0.quantity", 200.0), id="quantity-integral-float"),
    pytest.param(_set("items", [{"design": "visor-headband", "quantity": 1},
                                {"design": "visor-headband", "quantity": 2}]),
                 id="same-design-twice-merged"),
    pytest.param(_set("contact.email", "  jeanne@chu.example\t"), id="email-padded"),
    pytest.param(_set("contact.phone", "\u00a0+33 2 31 06 31 06 "), id="phone-padded"),
    pytest.param(_set("organization.name", " " + "x" * 199), id="name-padded-199"),
])
def test_edge_values_are_accepted(client, table, change):
    body = copy.deepcopy(valid_body())
    change(body)
    response = post(client, body)
    assert response.status_code == 201, response.body
    assert count_records(table) == 2


def test_region_is_matched_without_case_and_stored_in_the_hubs_spelling(client, table):
    body = valid_body()
    body["delivery"]["region"] = "  rivermouth "
    reference = body_of(post(client, body))["reference"]
    item = table.get_item(Key={"pk": f"REQUEST#{reference}", "sk": "REQUEST"})["Item"]
    assert item["region"] == REGIONS[-1]


def test_twenty_designs_is_the_most_one_request_may_list(client, table, api_env, tmp_path):
    designs = [f"design-{i:02d}" for i in range(21)]
    api_env.setenv("USINE_MANIFEST", str(write_manifest(tmp_path / "m20.json", designs)))
    items = [{"design": d, "quantity": 1} for d in designs]
    assert post(client, valid_body(items=items[:20])).status_code == 201
    response = post(client, valid_body(items=items))
    assert response.status_code == 400
    assert "items" in body_of(response)["fields"]


def test_charset_parameter_is_accepted(client, table):
    response = post(client, valid_body(),
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201
