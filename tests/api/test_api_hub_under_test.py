"""The API with the hub.toml under test: the repository's, or a fork's in CI's second pass
(``USINE_HUB_CONFIG``). The other API tests use a fictional hub of their own; these check
that this hub's own regions, country rules and languages work end to end."""

from __future__ import annotations

import phonenumbers
import pytest

import hub_under_test
from api_helpers import body_of, post, valid_body
from chalicelib import catalog
from chalicelib.store import personal_key, request_key

HUB = hub_under_test.hub()


@pytest.fixture
def client_of_the_hub(api_env, client):
    api_env.setenv("USINE_HUB_CONFIG", str(hub_under_test.PATH))
    return client


def national_phone() -> str:
    """A valid number of the hub's country as its people write it (no +), or a foreign
    number with + where hub.toml names no country."""
    number = phonenumbers.example_number(HUB.country or "FR")
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if HUB.country
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def local_body(region: str) -> dict:
    """A request a requester of this hub would send: its region, postcode, registry, phone."""
    body = valid_body()
    body["delivery"]["region"] = region
    if HUB.postcode:
        body["delivery"]["postcode"] = HUB.postcode.example
    if HUB.registry:
        body["organization"]["registry_id"] = HUB.registry.example
    body["contact"]["phone"] = national_phone()
    return body


@pytest.mark.parametrize("region", HUB.regions)
def test_each_region_of_the_hub_is_accepted_by_its_id_and_stored_with_the_phone_in_e164(
        client_of_the_hub, table, region):
    response = post(client_of_the_hub, local_body(region))
    assert response.status_code == 201, response.body
    reference = body_of(response)["reference"]
    assert table.get_item(Key=request_key(reference))["Item"]["region"] == region
    personal = table.get_item(Key=personal_key(reference))["Item"]
    expected = phonenumbers.parse(national_phone(), HUB.country or None)
    assert personal["contact"]["phone"] == phonenumbers.format_number(
        expected, phonenumbers.PhoneNumberFormat.E164)


def test_a_region_name_that_is_no_id_is_refused_with_the_hubs_ids_in_each_language(
        client_of_the_hub, table):
    named = [(r, lang) for r in HUB.region_list for lang in HUB.languages
             if r.name(lang) not in HUB.regions and r.name(lang).lower() != r.id.lower()]
    if not named:
        pytest.skip("every region of this hub is named by its id")
    region, lang = named[0]
    response = post(client_of_the_hub, local_body(region.name(lang)),
                    {"Content-Type": "application/json", "Accept-Language": lang})
    assert response.status_code == 400
    message = body_of(response)["fields"]["delivery.region"]
    assert all(region_id in message for region_id in HUB.regions)


@pytest.mark.parametrize("lang", HUB.languages)
def test_each_language_of_the_hub_gets_the_words_of_its_catalog(client_of_the_hub, table,
                                                                 lang):
    body = local_body(HUB.regions[0])
    del body["organization"]["name"]
    response = post(client_of_the_hub, body,
                    {"Content-Type": "application/json", "Accept-Language": lang})
    assert response.status_code == 400
    assert body_of(response)["fields"]["organization.name"] == catalog.text(
        "api.field.missing", lang)


def test_the_country_rules_of_the_hub_refuse_a_postcode_of_another_shape(client_of_the_hub,
                                                                         table):
    if not HUB.postcode:
        pytest.skip("this hub.toml gives no postcode rule: the generic shape applies")
    body = local_body(HUB.regions[0])
    body["delivery"]["postcode"] = "X" + HUB.postcode.example + "-Z"
    response = post(client_of_the_hub, body)
    assert response.status_code == 400
    assert HUB.postcode.example in body_of(response)["fields"]["delivery.postcode"]
