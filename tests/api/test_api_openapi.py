"""The OpenAPI document states exactly what the server accepts (issue 11, point 12).

Both directions, per rule: whatever a field's schema accepts the server accepts, and
whatever it refuses the server refuses (checked with jsonschema_rs, the validator
schemathesis uses, against the pydantic types the bodies are validated with); the date
patterns over every date of the range and 3 days around it, for many "todays"; whole
bodies generated from the document (schemathesis' own generator) are accepted; and the
links the stateful fuzzing follows are there.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import date, timedelta

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from api_helpers import (
    DESIGNS, SERVERLESS, VARIANTS, body_of, hub_regions, maker_body, post, register_phone_format, send,
    today, valid_body, write_hub, write_manifest,
)

sys.path.insert(0, str(SERVERLESS))

from chalicelib import config, fields, openapi  # noqa: E402
from chalicelib.fields import MAX_DAYS_AHEAD, RequestContext  # noqa: E402
from chalicelib.maker_models import parse_maker  # noqa: E402
from chalicelib.models import parse_request  # noqa: E402

REGIONS = hub_regions()


@pytest.fixture(scope="module")
def hub_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    return config.settings({"USINE_HUB_CONFIG": str(write_hub(folder / "hub.toml")),
                            "USINE_MANIFEST": str(write_manifest(folder / "manifest.json"))})


@pytest.fixture(scope="module")
def document(hub_settings):
    return openapi.openapi_document(hub_settings)


def context():
    return RequestContext(regions=REGIONS, designs=DESIGNS, today=today(),
                          variants={d: VARIANTS for d in DESIGNS})


# ------------------------------------------------------------------ white space


def test_the_documents_white_space_is_exactly_what_the_server_trims():
    """Every code point: trimmed by the server's types (pydantic's strip_whitespace, as
    Line and Text use it) if and only if the document's white space class names it."""
    from typing import Annotated

    from pydantic import StringConstraints

    trim = TypeAdapter(list[Annotated[str, StringConstraints(strip_whitespace=True)]])
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    trimmed = trim.validate_python([f"{c}a{c}" for c in chars])
    pattern = re.compile(f"[{fields.WHITESPACE}]")
    for char, value in zip(chars, trimmed):
        assert (value == "a") == bool(pattern.fullmatch(char)), hex(ord(char))
    assert fields.Line(5) and TypeAdapter(fields.Line(5)).validate_python("\u3000a\t") == "a"


# ------------------------------------------------------------------ text fields


TEXT_TYPES = {
    "line": (fields.Line(12), "Line(12)"),
    "line-0": (fields.Line(12, min_length=0), "Line(12, 0)"),
    "text": (fields.Text(12), "Text(12)"),
    "notes": (fields.Notes, "Notes"),
    "email": (fields.Email, "Email"),
    "postcode": (fields.Postcode, "Postcode"),
    "registry_id": (fields.RegistryId, "RegistryId"),
}

# Characters every rule treats differently: white space of each kind (ASCII, Unicode,
# control), other controls, the e-mail's and phone's punctuation, letters and digits.
ALPHABET = ("\t\n\x0b\x0c\r \x1c\x1f\x00\x7f\x85\xa0\u2003\u2028\u3000\ufeff"
            "aZé٣0123456789@.+-()/,;:<>\"[]\\_ x")

SAMPLES = [
    "", " ", "a", " a ", "\ta\n", "a b", "a\nb", "a\tb", "a\x00b", "\x1ca", "\ufeffa",
    "a@b.co", " a@b.co ", "a@b", "a@@b.co", "a@b..co", "é@hôpital.example", "a b@c.de",
    "+33 2 31 06 31 06", "(0)6-12.34.56.78", "12345", "123456", "1" * 20, "1" * 21,
    "+ 123456", "++123456", "14000", "SW1A 1AA", "-14000", "14000-", "A ", "AB", "A-",
    " 140000100 ", "1" * 32, "1" * 33, "x" * 12, "x" * 13, " " + "x" * 11, " " + "x" * 12,
]


def _server_accepts(adapter, value) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _schema_of(annotated):
    schema = TypeAdapter(annotated).json_schema()
    return jsonschema_rs.validator_for(schema), schema


@pytest.mark.parametrize("name", list(TEXT_TYPES))
def test_each_text_rule_of_the_document_is_the_servers(name):
    annotated, _ = TEXT_TYPES[name]
    adapter = TypeAdapter(annotated)
    validator, schema = _schema_of(annotated)
    python_pattern = re.compile(schema["pattern"])  # Python reads it the same way

    def agree(value):
        by_schema = validator.is_valid(value)
        assert by_schema == _server_accepts(adapter, value), (name, value, schema)
        within = len(value) <= schema["maxLength"] and len(value) >= schema.get("minLength", 0)
        assert bool(python_pattern.search(value)) and within == by_schema or not by_schema

    for value in SAMPLES:
        agree(value)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text(alphabet=ALPHABET, max_size=40) | st.from_regex(schema["pattern"]))
    def random_values(value):
        agree(value)

    random_values()


def test_the_document_states_the_phones_bounds_and_format_and_the_server_checks_the_number():
    """A phone's validity (libphonenumber) is no JSON Schema pattern: the document gives
    its lengths and ``"format": "phone"``; what the server accepts, the document accepts,
    and the server accepts a value only when libphonenumber holds it valid."""
    adapter = TypeAdapter(fields.Phone)
    validator, schema = _schema_of(fields.Phone)
    assert schema["format"] == "phone" and "libphonenumber" in schema["description"]
    for value in SAMPLES + ["+33 2 31 06 31 06", "+212 6 00 44 55 66", "02 31 06 31 06"]:
        if _server_accepts(adapter, value):
            assert validator.is_valid(value), value
            assert fields.e164(value.strip(), None) == adapter.validate_python(value)
        else:
            assert fields.e164(value.strip(), None) is None or not re.fullmatch(
                fields.PHONE_CORE, value.strip()) or len(value) > 32, value


def test_padding_counts_in_the_length_and_is_trimmed():
    adapter = TypeAdapter(fields.OrgName)
    assert adapter.validate_python("  CHU de Caen\t") == "CHU de Caen"
    assert not _server_accepts(adapter, " " + "x" * 200)  # 201 characters as sent
    assert adapter.validate_python(" " + "x" * 199) == "x" * 199


@pytest.mark.parametrize("value, accepted", [
    (1, True), (2.0, True), (1e2, True), (100000, True), (100001, False), (0, False),
    (2.5, False), ("2", False), (True, False), (None, False),
])
def test_whole_numbers_are_json_schema_integers(value, accepted):
    from chalicelib.models import Quantity

    validator, _ = _schema_of(Quantity)
    assert validator.is_valid(value) == accepted
    assert _server_accepts(TypeAdapter(Quantity), value) == accepted


# ------------------------------------------------------------------ dates


def _starts():
    """Many "todays": every day of a leap year and around it (Feb 29, year ends)."""
    first = date(2027, 12, 20)
    return [first + timedelta(days=n) for n in range(0, 380)]


def test_the_date_pattern_is_exactly_the_range_for_every_today():
    for start in _starts():
        first, last = openapi.accepted_dates(start)
        assert last - first == timedelta(days=MAX_DAYS_AHEAD)
        pattern = re.compile(openapi.date_range_pattern(first, last))
        day = first - timedelta(days=3)
        while day <= last + timedelta(days=3):
            assert bool(pattern.match(day.isoformat())) == (first <= day <= last), (start, day)
            day += timedelta(days=1)


@pytest.mark.parametrize("start", [date(2026, 1, 1), date(2027, 2, 28), date(2028, 2, 29),
                                   date(2028, 3, 1), date(2031, 12, 31), today()])
def test_the_date_pattern_reads_the_same_in_json_schema(start):
    first, last = openapi.accepted_dates(start)
    pattern = openapi.date_range_pattern(first, last)
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    day = first - timedelta(days=3)
    while day <= last + timedelta(days=3):
        assert validator.is_valid(day.isoformat()) == (first <= day <= last), day
        day += timedelta(days=1)
    for text in (first.isoformat() + "\n", " " + first.isoformat(), first.isoformat()[:-1],
                 first.isoformat().replace("-", "/"), "", f"{first.year}-02-30"):
        assert not validator.is_valid(text), text
        assert not re.fullmatch(pattern, text), text  # (Python's `$` allows a final "\n")


def test_the_dates_of_the_document_are_the_servers_today(document):
    schemas = document["components"]["schemas"]
    first, last = openapi.accepted_dates()
    needed_by = jsonschema_rs.validator_for(schemas["PartRequest"]["properties"]["needed_by"])
    for days in range(-3, MAX_DAYS_AHEAD + 4):
        day = (first + timedelta(days=days)).isoformat()
        in_range = 0 <= days <= MAX_DAYS_AHEAD
        assert needed_by.is_valid(day) == in_range, day
        body = valid_body(needed_by=day)
        assert _parses(parse_request, body) == in_range, day
    assert schemas["Availability"]["properties"]["from"]["pattern"] == (
        schemas["PartRequest"]["properties"]["needed_by"]["pattern"])
    assert first <= today() <= first  # the server's "today" is the document's


def _parses(parse, body) -> bool:
    try:
        parse(body, context())
    except ValidationError:
        return False
    return True


# ------------------------------------------------------------------ this hub's rules


def test_regions_designs_and_variants_are_this_hubs(document):
    schemas = document["components"]["schemas"]
    for name in ("Delivery", "MakerSignup"):
        region = schemas[name]["properties"]["region"]
        assert region["enum"] == list(REGIONS)
        assert "case" in region["description"]
    for name in ("Item", "Offer"):
        item = schemas[name]
        assert sorted(item["properties"]["design"]["enum"]) == sorted(DESIGNS)
        branches = {b["properties"]["design"]["const"]: b["properties"]["variant"]
                    for b in item["anyOf"]}
        assert branches == {d: {"anyOf": [{"enum": list(VARIANTS)}, {"type": "null"}]}
                            for d in DESIGNS}
    validator = jsonschema_rs.validator_for(
        {**schemas["Item"], "$defs": {}})
    assert validator.is_valid({"design": "ear-saver", "variant": "m", "quantity": 1})
    assert validator.is_valid({"design": "ear-saver", "quantity": 1})
    assert not validator.is_valid({"design": "ear-saver", "variant": "xl", "quantity": 1})
    assert not validator.is_valid({"design": "snorkel", "quantity": 1})


def test_the_document_builds_without_the_hubs_files(tmp_path):
    settings_ = config.settings({"USINE_HUB_CONFIG": str(tmp_path / "none.toml"),
                                 "USINE_MANIFEST": str(tmp_path / "none.json")})
    doc = openapi.openapi_document(settings_)
    json.dumps(doc)
    schemas = doc["components"]["schemas"]
    assert "enum" not in schemas["Delivery"]["properties"]["region"]
    assert "case" in schemas["Delivery"]["properties"]["region"]["description"]
    assert "pattern" in schemas["PartRequest"]["properties"]["needed_by"]  # today's range
    assert "anyOf" not in schemas["Item"]


def test_answers_are_not_bound_by_todays_rules(document):
    """A stored sign-up keeps the dates it was accepted with: the answer's schema has no
    date range, and no hub enum."""
    schemas = document["components"]["schemas"]
    record = schemas["MakerRecord"]
    assert record["properties"]["availability"]["$ref"].endswith("/StoredAvailability")
    stored = schemas["StoredAvailability"]["properties"]["from"]
    assert stored["pattern"] == fields.DATE_PATTERN
    assert "enum" not in record["properties"]["region"]
    # merged offers may add up beyond one offer's bound
    assert "maximum" not in schemas["StoredOffer"]["properties"]["units_per_day"]


# ------------------------------------------------------------------ whole bodies


@pytest.mark.parametrize("path, parse", [("/requests", parse_request),
                                         ("/makers", parse_maker)])
def test_bodies_generated_from_the_document_are_accepted(document, path, parse):
    import schemathesis

    register_phone_format()
    operation = schemathesis.openapi.from_dict(copy.deepcopy(document))[path]["POST"]

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    @given(operation.as_strategy())
    def accepted(case):
        try:
            parse(case.body, context())
        except ValidationError as exc:
            raise AssertionError(f"{exc.errors(include_input=False)}\n{case.body!r}") from None

    accepted()


# ------------------------------------------------------------------ links


def test_links_follow_the_created_resource_with_its_token(document):
    paths = document["paths"]
    links = paths["/requests"]["post"]["responses"]["201"]["links"]
    assert links == {"GetRequest": {
        "operationId": "getRequest",
        "parameters": {"path.reference": "$response.body#/reference",
                       "header.Authorization": "Bearer {$response.body#/tracking_token}"},
        "description": links["GetRequest"]["description"]}}
    links = paths["/makers"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "getMaker", "updateMaker", "withdrawMaker"}
    for link in links.values():
        assert link["parameters"] == {"path.maker_id": "$response.body#/id",
                                      "header.Authorization":
                                          "Bearer {$response.body#/edit_token}"}
    operations = {op["operationId"] for item in paths.values() for op in item.values()}
    assert operations >= {"getRequest", "getMaker", "updateMaker", "withdrawMaker"}


# ------------------------------------------------------------------ server behaviour


def test_lines_of_the_same_design_and_variant_are_merged(client, table):
    items = [{"design": "visor-headband", "variant": "m", "quantity": 1},
             {"design": "ear-saver", "quantity": 5},
             {"design": "visor-headband", "variant": "m", "quantity": 2.0},
             {"design": "visor-headband", "quantity": 4}]
    created = body_of(post(client, valid_body(items=items)))
    progress = body_of(send(client, "GET", f"/requests/{created['reference']}",
                            token=created["tracking_token"]))
    assert [(i["design"], i["variant"], i["requested"]) for i in progress["items"]] == [
        ("visor-headband", "m", 3), ("ear-saver", None, 5), ("visor-headband", None, 4)]


def test_availability_dates_in_either_order_make_the_same_window(client, table):
    later, sooner = (today() + timedelta(days=30)).isoformat(), today().isoformat()
    body = maker_body(availability={"from": later, "until": sooner},
                      offers=[{"design": "ear-saver", "units_per_day": 10},
                              {"design": "ear-saver", "units_per_day": 15}])
    created = body_of(send(client, "POST", "/makers", body))
    record = body_of(send(client, "GET", f"/makers/{created['id']}",
                          token=created["edit_token"]))
    assert record["availability"] == {"from": sooner, "until": later}
    assert record["offers"] == [{"design": "ear-saver", "variant": None, "units_per_day": 25}]


def test_the_site_copy_states_no_date_range_of_the_day_it_was_built():
    from chalicelib.openapi import openapi_document

    site = openapi_document(live_dates=False)["components"]["schemas"]
    live = openapi_document()["components"]["schemas"]
    assert site["PartRequest"]["properties"]["needed_by"]["pattern"] == \
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert live["PartRequest"]["properties"]["needed_by"]["pattern"] != \
        site["PartRequest"]["properties"]["needed_by"]["pattern"]
