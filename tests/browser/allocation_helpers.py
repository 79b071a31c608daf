"""What the allocation pages' browser tests set up over HTTP against the real local API
(`chalice local` on DynamoDB Local, tests/browser/conftest.py): a request, a site, a
coordinator and the allocation it proposes, and the link of the e-mail the site gets."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hubdata import PHONE, POSTCODE, REGIONS

REPO = Path(__file__).resolve().parents[2]
# The fake hub keeps the hub under test's hub.toml (tests/site/fakehub.py): its regions
# and country rules, whatever they are.
CONTACT = {"name": "Jeanne Martin", "email": "jm-delivery@example.org", "phone": PHONE}
ADDRESS = "12 avenue de la Côte de Nacre"


def send(api_url: str, method: str, path: str, body=None, token: str | None = None,
         lang: str = "en"):
    """(status, JSON answer) of one call, its messages in ``lang``."""
    headers = {"Content-Type": "application/json", "Accept-Language": lang}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{api_url}{path}", data=data, headers=headers,
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def create_request(api_url: str, quantity: int = 120, region: str | None = None) -> dict:
    status, answer = send(api_url, "POST", "/requests", {
        "organization": {"name": "CHU de Caen", "type": "hospital"},
        "contact": CONTACT,
        "delivery": {"region": region or REGIONS[0].id, "postcode": POSTCODE,
                     "address": ADDRESS},
        "items": [{"design": "demo-clip", "variant": "10", "quantity": quantity}],
        "needed_by": (date.today() + timedelta(days=20)).isoformat(),
        "consent": True,
    })
    assert status == 201, answer
    return answer


def create_site(api_url: str, region: str | None = None) -> dict:
    status, answer = send(api_url, "POST", "/makers", {
        "name": "Fablab du Havre", "kind": "fablab",
        "contact": {"name": "Ali Benali", "email": "ali@fablab.example"},
        "region": region or REGIONS[-1].id, "postcode": POSTCODE,
        "machines": [{"technology": "fdm", "model": "Prusa MK3S", "count": 4}],
        "offers": [{"design": "demo-clip", "units_per_day": 40}],
        "availability": {"from": date.today().isoformat()},
        "consent": True,
    })
    assert status == 201, answer
    return answer


def coordinator_token(dynamodb_endpoint: str) -> str:
    """A hub-scope coordinator, issued straight into the local table (as
    scripts/coordinators.py does)."""
    import boto3
    from chalicelib import coordinators

    stage = json.loads((REPO / "serverless" / ".chalice" / "config.json").read_text())
    name = stage["stages"]["local"]["environment_variables"]["TABLE_NAME"]
    table = boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(name)
    _, token = coordinators.issue(table, "Browser test", None, timedelta(days=1),
                                  datetime.now(timezone.utc))
    return token


def allocate(api_url: str, coordinator: str, reference: str, site: str,
             quantity: int) -> dict:
    status, answer = send(api_url, "POST", "/coordination/allocations",
                          {"reference": reference, "item": 0, "site": site,
                           "quantity": quantity}, token=coordinator)
    assert status == 201, answer
    return answer


def site_link(site_url: str, lang: str, allocation_id: str) -> str:
    """The link of the e-mail that proposes the allocation (chalicelib.notifications),
    with its token made as the API makes it (the same server secret file)."""
    from chalicelib import allocations, notifications, secret

    token = allocations.link_token(secret.keys()[0], allocation_id)
    return notifications.link(site_url + "/", lang, notifications.SITE_PAGE,
                              id=allocation_id, token=token)
