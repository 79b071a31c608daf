"""A fork's regions and country rules, from its hub.toml: regions per language validated by
identifier; phone numbers parsed with libphonenumber and stored in E.164 (the hub's country
for numbers written without +); postcode and registry shapes from [country]."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from api_helpers import (
    TEST_HUB, body_of, count_records, maker_body, post, send, valid_body, write_hub,
)
from chalicelib import config, fields, i18n, openapi
from chalicelib.store import personal_key, request_key

# [country] rules a fork would write: France's postcode and FINESS, named per language.
COUNTRY = """
[country]
postcode = { pattern = "^[0-9]{5}$", example = "14000" }
registry = { name = { fr = "FINESS", en = "FINESS number", ar = "رقم فينس" }, pattern = "^[0-9A-Z]{9}$", example = "140000100" }
"""


def fork_hub(country: str | None = "FR", rules: str = COUNTRY) -> str:
    """TEST_HUB with a country code in [hub] and [country] rules."""
    text = TEST_HUB
    if country:
        text = text.replace('name = "Usine Test"\n', f'name = "Usine Test"\ncountry = "{country}"\n', 1)
    return text + rules


def hub_of(text: str) -> config.Hub:
    return config.hub_from_data(tomllib.loads(text))


@pytest.fixture
def fork(api_env, tmp_path):
    """The app reads a hub.toml with [hub] country = "FR" and [country] rules."""
    def use(text: str) -> Path:
        path = write_hub(tmp_path / "fork-hub.toml", text)
        api_env.setenv("USINE_HUB_CONFIG", str(path))
        return path
    use(fork_hub())
    return use


# ------------------------------------------------------------------ regions


def test_a_plain_list_of_regions_gives_ids_equal_to_their_names_in_every_language():
    hub = hub_of('[hub]\nlanguages = ["fr", "ar"]\nregions = ["Northshire", "Eastmarch"]\n')
    assert hub.regions == ("Northshire", "Eastmarch")
    assert [r.name(lang) for r in hub.region_list for lang in ("fr", "ar", "en")] == [
        "Northshire"] * 3 + ["Eastmarch"] * 3


def test_region_tables_give_a_name_per_language_falling_back_to_the_first_language_then_the_id():
    hub = hub_of("""
[hub]
languages = ["ar", "fr"]
[[hub.regions]]
id = "casablanca-settat"
name = { fr = "Casablanca-Settat", ar = "الدار البيضاء سطات" }
[[hub.regions]]
id = "draa-tafilalet"
name = { fr = "Drâa-Tafilalet" }
[[hub.regions]]
id = "oriental"
""")
    assert hub.regions == ("casablanca-settat", "draa-tafilalet", "oriental")
    assert hub.region_names("fr") == {"casablanca-settat": "Casablanca-Settat",
                                      "draa-tafilalet": "Drâa-Tafilalet", "oriental": "oriental"}
    # Arabic first: a region without an Arabic name shows... its first-language name, which
    # it lacks too here, so the id; English (no name at all) shows the Arabic name.
    assert hub.region_names("ar") == {"casablanca-settat": "الدار البيضاء سطات",
                                      "draa-tafilalet": "draa-tafilalet", "oriental": "oriental"}
    assert hub.region("casablanca-settat").name("en") == "الدار البيضاء سطات"
    assert hub.region("draa-tafilalet").name("wo") == "draa-tafilalet"


def test_the_fixture_hub_shows_the_first_languages_name_where_a_language_has_none():
    hub = hub_of(TEST_HUB)
    assert hub.region("Southdale").name("ar") == "Val-du-Sud"  # fr is the first language
    assert hub.region("Rivermouth").name("fr") == "Rivermouth"  # no name: the id
    assert hub.region("Eastmarch").name("fr") == "Marche de l'Est"


@pytest.mark.parametrize("regions, words", [
    ("regions = []", "non-empty"),
    ('regions = ["Northshire", "northshire"]', "same id"),
    ('regions = [{ name = { fr = "Westmoor" } }]', "id"),
    ('regions = [{ id = "westmoor", title = "Westmoor" }]', "unknown keys"),
    ('regions = [{ id = "westmoor", name = { fr = "" } }]', "name"),
    ('regions = [42]', "name or a table"),
])
def test_malformed_regions_are_a_configuration_error_naming_the_problem(regions, words):
    with pytest.raises(config.ConfigError, match=words):
        config.parse_regions(tomllib.loads(f"[hub]\n{regions}\n"))


def test_the_api_stores_the_regions_id_and_lists_the_ids_when_refusing(client, table):
    hub = hub_of(TEST_HUB)
    first = hub.region_list[0]
    body = valid_body()
    body["delivery"]["region"] = first.id.upper()  # matched without case
    created = body_of(post(client, body))
    stored = table.get_item(Key=request_key(created["reference"]))["Item"]
    assert stored["region"] == first.id

    body["delivery"]["region"] = first.name("fr")  # a name is not an identifier
    response = post(client, body, {"Content-Type": "application/json", "Accept-Language": "fr"})
    assert response.status_code == 400
    data = body_of(response)
    assert data["codes"]["delivery.region"] == "region"
    message = data["fields"]["delivery.region"]
    assert all(region_id in message for region_id in hub.regions)
    assert first.name("fr") not in message


def test_a_makers_region_is_validated_and_stored_by_id(client, table):
    hub = hub_of(TEST_HUB)
    body = maker_body(region=hub.regions[-1].lower())
    response = send(client, "POST", "/makers", body)
    assert response.status_code == 201, response.body
    data = body_of(response)
    record = body_of(send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"]))
    assert record["region"] == hub.regions[-1]
    refused = send(client, "POST", "/makers", maker_body(region="Nowhere"))
    assert body_of(refused)["codes"] == {"region": "region"}


def test_the_document_offers_the_region_ids_and_names_them(api_env, hub):
    document = openapi.openapi_document(config.settings())
    region = document["components"]["schemas"]["Delivery"]["properties"]["region"]
    assert region["enum"] == list(hub_of(TEST_HUB).regions)
    assert "Northshire: Côte-du-Nord" in region["description"]


def test_this_repositorys_hub_toml_has_region_ids_named_in_each_of_its_languages():
    """The table form, every region named in every language of the hub."""
    repo_hub = config.load_hub(Path(__file__).resolve().parents[2] / "hub.toml")
    data = tomllib.loads((Path(__file__).resolve().parents[2] / "hub.toml").read_text())
    assert all(isinstance(r, dict) for r in data["hub"]["regions"])
    for region in repo_hub.region_list:
        assert all(dict(region.names).get(lang) for lang in repo_hub.languages), region.id


# ------------------------------------------------------------------ phone numbers


@pytest.mark.parametrize("sent, stored", [
    ("02 31 06 31 06", "+33231063106"),          # the hub's country, as its people write it
    ("0033 2 31 06 31 06", "+33231063106"),      # its international prefix
    ("+33 (0)6-12.34.56.78", "+33612345678"),
    ("+212 6 00 44 55 66", "+212600445566"),     # a foreign number, with + and its code
    (" +1 202-555-0100\t", "+12025550100"),
])
def test_phones_are_stored_and_answered_in_e164_read_with_the_hubs_country(
        client, table, fork, sent, stored):
    body = valid_body()
    body["contact"]["phone"] = sent
    response = post(client, body)
    assert response.status_code == 201, response.body
    reference = body_of(response)["reference"]
    personal = table.get_item(Key=personal_key(reference))["Item"]
    assert personal["contact"]["phone"] == stored
    scanned = json.dumps(table.scan()["Items"], default=str)
    assert sent.strip() == stored or sent.strip() not in scanned


def test_a_makers_phone_is_stored_in_e164_too(client, table, fork):
    body = maker_body()
    body["contact"]["phone"] = "06 12 34 56 78"
    data = body_of(send(client, "POST", "/makers", body))
    record = body_of(send(client, "GET", f"/makers/{data['id']}", token=data["edit_token"]))
    assert record["contact"]["phone"] == "+33612345678"


@pytest.mark.parametrize("phone", [
    "+33 1 23",               # too short for France
    "+33 9 99 99 99 99 99",   # too long
    "+999 123 456 789",       # no such country code
    "06 12 34",               # national, too short
    "12 34 56 78 90 12",      # not a French number, and no +
])
def test_an_invalid_number_is_a_400_naming_contact_phone_in_the_catalogs_words(
        client, table, fork, phone):
    body = valid_body()
    body["contact"]["phone"] = phone
    response = post(client, body, {"Content-Type": "application/json", "Accept-Language": "ar"})
    assert response.status_code == 400
    data = body_of(response)
    assert data["codes"] == {"contact.phone": "phone"}
    example = fields.phone_example("FR")
    assert data["fields"]["contact.phone"] == i18n.field_message("phone", {"example": example},
                                                                 "ar")
    assert example == "01 23 45 67 89" and example in data["fields"]["contact.phone"]
    assert phone not in response.body.decode()
    assert count_records(table) == 0


def test_an_invalid_makers_phone_is_a_400_naming_contact_phone(client, table, fork):
    body = maker_body()
    body["contact"]["phone"] = "+33 1 23"
    data = body_of(send(client, "POST", "/makers", body))
    assert data["codes"] == {"contact.phone": "phone"}


def test_without_a_country_only_numbers_with_plus_are_read(client, table):
    body = valid_body()
    body["contact"]["phone"] = "02 31 06 31 06"
    assert body_of(post(client, body))["codes"] == {"contact.phone": "phone"}
    body["contact"]["phone"] = "+33 2 31 06 31 06"
    assert post(client, body).status_code == 201


def test_e164_and_the_example_follow_the_country():
    assert fields.e164("020 7946 0958", "GB") == "+442079460958"
    assert fields.e164("020 7946 0958", "FR") is None
    assert fields.e164("+44 20 7946 0958", "FR") == "+442079460958"
    assert fields.e164("0522 22 22 22", "MA") == "+212522222222"
    assert fields.phone_example(None).startswith("+")


# ------------------------------------------------------------------ postcode and registry


def test_postcode_and_registry_follow_the_hubs_country_rules(client, table, fork):
    body = valid_body()
    body["delivery"]["postcode"] = "SW1A 1AA"
    body["organization"]["registry_id"] = "12345678901234"  # a SIRET: not this registry
    for lang, name in (("fr", "FINESS"), ("en", "FINESS number"), ("ar", "رقم فينس")):
        response = post(client, body, {"Content-Type": "application/json",
                                       "Accept-Language": lang})
        data = body_of(response)
        assert response.status_code == 400
        assert data["codes"] == {"delivery.postcode": "postcode_example",
                                 "organization.registry_id": "registry_id_example"}
        postcode, registry = data["fields"]["delivery.postcode"], data["fields"][
            "organization.registry_id"]
        assert "14000" in postcode and "SW1A" not in postcode
        assert name in registry and "140000100" in registry and "12345678901234" not in registry
        assert registry == i18n.field_message(
            "registry_id_example", {"registry": name, "example": "140000100"}, lang)
    body["delivery"]["postcode"] = " 14000 "
    body["organization"]["registry_id"] = "140000100"
    assert post(client, body).status_code == 201


def test_a_makers_postcode_follows_the_hubs_rule(client, table, fork):
    data = body_of(send(client, "POST", "/makers", maker_body(postcode="7660")))
    assert data["codes"] == {"postcode": "postcode_example"}
    assert send(client, "POST", "/makers", maker_body(postcode="76600")).status_code == 201


def test_without_country_rules_the_generic_shapes_apply(client, table):
    body = valid_body()
    body["delivery"]["postcode"] = "SW1A 1AA"
    body["organization"]["registry_id"] = "12345678901234"
    assert post(client, body).status_code == 201


def test_the_document_states_the_hubs_postcode_and_registry_and_agrees_with_the_server(fork):
    from pydantic import TypeAdapter

    hub = config.load_hub(config.settings().hub_path)
    schemas = openapi.openapi_document(config.settings())["components"]["schemas"]
    postcode = schemas["Delivery"]["properties"]["postcode"]
    registry = schemas["Organization"]["properties"]["registry_id"]["anyOf"][0]
    assert postcode["examples"] == ["14000"] and registry["examples"] == ["140000100"]
    context = fields.RequestContext(regions=hub.regions, designs=(), today=None,
                                    postcode=hub.postcode, registry=hub.registry)
    for schema, annotated in ((postcode, fields.Postcode), (registry, fields.RegistryId)):
        adapter = TypeAdapter(annotated)
        for value in ("14000", " 14000\t", "1400", "140000", "2A0000001", "140000100",
                      "14000 ", "SW1A 1AA", "abcdefghi", "ABCDEFGHI", ""):
            try:
                adapter.validate_python(value, context=context)
                server = True
            except Exception:
                server = False
            document = bool(re.search(schema["pattern"], value)) and \
                len(value) <= schema["maxLength"] and len(value) >= schema.get("minLength", 0)
            assert server == document, (value, schema["pattern"])


@pytest.mark.parametrize("rules, words", [
    ('[country]\npostcode = { pattern = "^[0-9]{5}$", example = "1400" }', "example"),
    ('[country]\npostcode = { pattern = "^[0-9]{5", example = "14000" }', "pattern"),
    ('[country]\npostcode = { pattern = "^[0-9]{5}$" }', "example"),
    ('[country]\nregistry = { pattern = "^[0-9]{9}$", example = "140000100" }', "name"),
    ('[country]\nzip = { pattern = "^[0-9]{5}$", example = "14000" }', "postcode and registry"),
])
def test_malformed_country_rules_are_a_configuration_error(rules, words):
    with pytest.raises(config.ConfigError, match=words):
        hub_of(fork_hub(rules=rules))


def test_a_bad_country_code_is_a_configuration_error():
    with pytest.raises(config.ConfigError, match="two-letter"):
        hub_of(fork_hub(country="France", rules=""))


def test_country_rules_for_the_forms_per_language():
    hub = hub_of(fork_hub())
    assert config.country_rules(hub, "ar") == {
        "country": "FR",
        "postcode": {"pattern": "^[0-9]{5}$", "example": "14000"},
        "registry": {"name": "رقم فينس", "pattern": "^[0-9A-Z]{9}$", "example": "140000100"}}
    assert config.country_rules(hub, "wo")["registry"]["name"] == "FINESS"  # first language's
    bare = hub_of(TEST_HUB)
    assert config.country_rules(bare, "fr") == {"country": None, "postcode": None,
                                                "registry": None}


def test_a_registry_named_in_plain_text_is_that_name_in_every_language():
    hub = hub_of(fork_hub(rules='[country]\nregistry = { name = "ICE", pattern = '
                                '"^[0-9]{15}$", example = "001525468000088" }'))
    assert {hub.registry.name(lang) for lang in ("fr", "ar", "en", "wo")} == {"ICE"}
