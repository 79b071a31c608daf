"""Helpers of the coordination tests: coordinators, a request, a site, the hub's regions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from api_helpers import body_of, maker_body, send, valid_body


def hub_regions(hub_path: Path) -> tuple[str, ...]:
    """The regions' identifiers of the hub.toml under test (never a name written in a test)."""
    from chalicelib import config

    return config.load_hub(Path(hub_path)).regions


def issue(table, regions=None, days=30, name="Test coordinator"):
    """A coordinator token: the whole hub (regions None) or some regions."""
    from chalicelib import coordinators

    now = datetime.now(timezone.utc)
    _, token = coordinators.issue(table, name, tuple(regions) if regions else None,
                                  timedelta(days=days), now)
    return token


def new_request(client, region, quantity=10, design="visor-headband", **changes):
    body = valid_body(**changes)
    body["delivery"]["region"] = region
    if "items" not in changes:
        body["items"] = [{"design": design, "variant": "m", "quantity": quantity}]
    response = send(client, "POST", "/requests", body)
    assert response.status_code == 201, response.body
    return body_of(response)


def new_site(client, region, **changes):
    response = send(client, "POST", "/makers", maker_body(region=region, **changes))
    assert response.status_code == 201, response.body
    return body_of(response)


def allocate(client, token, reference, site, quantity, item=0, **extra):
    return send(client, "POST", "/coordination/allocations",
                {"reference": reference, "item": item, "site": site, "quantity": quantity,
                 **extra}, token=token)


def act(client, token, allocation_id, action, **fields):
    return send(client, "POST", f"/allocations/{allocation_id}", {"action": action, **fields},
                token=token)
