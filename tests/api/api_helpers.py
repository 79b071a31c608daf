"""Helpers shared by the API tests (plain functions and constants, no fixtures)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVERLESS = REPO / "serverless"
STAGE = "local"
TABLE = "usine-local"  # serverless/.chalice/config.json, stage local
ORIGIN = "http://127.0.0.1:8765"
DESIGNS = ("visor-headband", "ear-saver")
VARIANTS = ("s", "m", "l")
JSON_HEADERS = {"Content-Type": "application/json"}


def today():
    from chalicelib.models import RequestContext

    return RequestContext.earliest_today()


def valid_body(**changes) -> dict:
    """A request the API accepts; keyword arguments replace top-level fields."""
    body = {
        "organization": {"name": "CHU de Caen", "type": "hospital"},
        "contact": {"name": "Jeanne Martin", "email": "jeanne.martin@chu-caen.example",
                    "phone": "+33 2 31 06 31 06"},
        "delivery": {"region": REGIONS[0], "postcode": "14000",
                     "address": "Avenue de la Côte de Nacre, bâtiment B"},
        "items": [{"design": "visor-headband", "quantity": 200}],
        "needed_by": (today() + timedelta(days=10)).isoformat(),
        "notes": "Livrer au quai 3, demander Dr Lefèvre",
        "consent": True,
    }
    body.update(changes)
    return body


TEST_HUB = """
[hub]
name = "Usine Test"
languages = ["fr", "en", "ar"]
site_url = "https://site.example.org/hub/"

# Regions in the table form: the identifier the API stores, a name per language (Southdale
# has no Arabic name: its French one, the first language's, is shown; Rivermouth has none).
[[hub.regions]]
id = "Northshire"
name = { fr = "Côte-du-Nord", en = "Northshire", ar = "الساحل الشمالي" }

[[hub.regions]]
id = "Eastmarch"
name = { fr = "Marche de l'Est", en = "Eastmarch", ar = "المنطقة الشرقية" }

[[hub.regions]]
id = "Westmoor"
name = { fr = "Landes de l'Ouest", en = "Westmoor", ar = "المستنقع الغربي" }

[[hub.regions]]
id = "Southdale"
name = { fr = "Val-du-Sud", en = "Southdale" }

[[hub.regions]]
id = "Rivermouth"

[coordination]
reconfirm_after_days = 14
reconfirm_grace_days = 5

[stages.local]
site_origin = "http://127.0.0.1:8000"

[stages.prod]
site_origin = "https://prod.example.org"
"""


def hub_regions(text: str = TEST_HUB) -> tuple[str, ...]:
    """The region identifiers of a hub.toml's text, as the API reads them."""
    import tomllib

    from chalicelib import config

    return config.hub_from_data(tomllib.loads(text)).regions


#: The fixture hub's regions (tests name these, never a region written in a test).
REGIONS = hub_regions()


def write_hub(path: Path, text: str = TEST_HUB) -> Path:
    """A hub.toml of the tests' own, so a fork editing the real one breaks no API test."""
    path.write_text(text)
    return path


def write_manifest(path: Path, designs=DESIGNS) -> Path:
    path.write_text(json.dumps({
        "schema": 1,
        "designs": {d: {"technology": "fdm", "status": "prototype", "version": "0.1.0"}
                    for d in designs},
        "variants": [{"design": d, "variant": v} for d in designs for v in VARIANTS],
    }))
    return path


def post(client, body, headers=JSON_HEADERS):
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.http.post("/requests", headers=headers, body=raw)


def body_of(response) -> dict:
    return json.loads(response.body) if response.body else {}


def count_items(table) -> int:
    return table.scan(Select="COUNT", ConsistentRead=True)["Count"]


def count_records(table) -> int:
    """Items other than the public counters of GET /stats (written with every record)."""
    return sum(1 for i in table.scan(ConsistentRead=True)["Items"]
               if not i["pk"].startswith("STATS#"))


class RecordingHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))




def maker_body(**changes) -> dict:
    """A capacity sign-up the API accepts; keyword arguments replace top-level fields."""
    body = {
        "name": "Fablab du Havre",
        "kind": "fablab",
        "contact": {"name": "Ali Benali", "email": "ali.benali@fablab-havre.example",
                    "phone": "+33 6 12 34 56 78"},
        "region": REGIONS[-1],
        "postcode": "76600",
        "machines": [{"technology": "fdm", "model": "Prusa MK3S", "count": 4,
                      "build_volume_mm": [250, 210, 210]},
                     {"technology": "laser", "model": "Trotec Speedy 100", "count": 1,
                      "build_volume_mm": [610, 305, 0]}],
        "materials": ["PETG", "PLA"],
        "offers": [{"design": "visor-headband", "variant": "m", "units_per_day": 40},
                   {"design": "ear-saver", "units_per_day": 100}],
        "availability": {"from": today().isoformat(),
                         "until": (today() + timedelta(days=60)).isoformat()},
        "consent": True,
    }
    body.update(changes)
    return body


MAKER_PERSONAL_VALUES = ("Ali Benali", "ali.benali@fablab-havre.example", "+33 6 12 34 56 78",
                         "+33612345678", "76600", "Fablab du Havre")  # the phone as sent and stored


def stored_phone(phone: str | None, country: str | None = None) -> str | None:
    """A phone number as the API stores and answers it: E.164 (``+33231063106``)."""
    from chalicelib.fields import e164

    return None if phone is None else e164(phone, country)


def stored_contact(contact: dict) -> dict:
    """A body's contact as stored: the phone in E.164, the rest as sent."""
    return {**contact, "phone": stored_phone(contact.get("phone"))}


def send(client, method, path, body=None, token=None, headers=None):
    all_headers = dict(JSON_HEADERS)
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    raw = b"" if body is None else (body if isinstance(body, (str, bytes)) else json.dumps(body))
    return getattr(client.http, method.lower())(path, headers=all_headers, body=raw)


def valid_phone_numbers() -> list[str]:
    """Valid numbers of many countries, each written with + as people write them
    (``+33 1 23 45 67 89``) and in E.164: what a document's ``"format": "phone"`` stands for
    (libphonenumber's example numbers: valid by construction)."""
    import re

    import phonenumbers
    from chalicelib.fields import PHONE_CORE

    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number(region)
        if number is None:
            continue
        for style in (phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                      phonenumbers.PhoneNumberFormat.E164):
            text = phonenumbers.format_number(number, style)
            if (len(text) <= 32 and re.fullmatch(PHONE_CORE, text)
                    and stored_phone(text) is not None):
                numbers.append(text)
    return numbers


def register_phone_format() -> None:
    """Teach schemathesis the document's ``"format": "phone"`` (valid numbers only)."""
    import schemathesis
    from hypothesis import strategies as st

    schemathesis.openapi.format("phone", st.sampled_from(valid_phone_numbers()))
