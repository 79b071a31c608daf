"""The coordinators' CSV export: ``GET /coordination/export.csv?region=&from=&to=``.

One row per allocation of the requests of the regions in scope (``region``: one of them;
403 out of scope), planned between ``from`` and ``to`` (``YYYY-MM-DD``, both optional,
inclusive), sorted by site region, site, day and reference. The delivery contact
(name, e-mail, phone, address) is filled only for allocations a site has accepted and not
yet delivered (``accepted``, ``produced``, ``shipped``: what the site itself may see);
an export holding any contact writes an ``export_contacts`` audit entry naming the
requests whose contact it holds (before the answer leaves).

Found without a scan, through the index ``lists``:

- the open requests of each region in scope (``OPEN#<region>``), then each one's
  allocations (one query of its partition: declined and cancelled ones too);
- the sites of every hub region (``SITES#<region>``: a site may serve another region),
  then each site's allocations (``SITE#<maker id>``): those of requests no longer open
  (delivered), kept while the site is active.

Allocations are merged by id and kept only if their request's region is in scope. Cells
that a spreadsheet would run as a formula get a leading ``'`` (:func:`feed.safe_cell`).
The body starts with a UTF-8 byte order mark, so spreadsheets read accents right.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from . import audit, config, dynamo, lists
from .allocations import AllocationStore, Refused
from .coordinators import current_coordinator
from .feed import csv_response, csv_text
from .store import RequestStore

COLUMNS = ("site", "site_region", "day", "reference", "request_region", "design",
           "variant", "quantity", "status", "produced", "shipped", "delivered",
           "contact_name", "contact_email", "contact_phone", "delivery_address")
# Mirrors coordination.CONTACT_VISIBLE: a site sees the contact from acceptance to delivery.
CONTACT_VISIBLE = ("accepted", "produced", "shipped")
MAX_OPEN_PER_REGION = 2000
MAX_SITES_PER_REGION = 500
BOM = "\ufeff"
FIRST_DAY, LAST_DAY = "2000-01-01", "9999-12-31"


def _day(params: dict[str, str], name: str, minimum: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = date.fromisoformat(raw).isoformat() if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or not minimum <= value <= LAST_DAY:
        raise Refused(400, "bad_parameter", name, minimum=minimum, maximum=LAST_DAY)
    return value


def _allocations(table: Any, hub_regions: list[str], regions: list[str], first: str,
                 last: str) -> list[dict[str, Any]]:
    store = AllocationStore(table)
    found: dict[str, dict[str, Any]] = {}
    for region in regions:
        for request in lists.query_all(table, lists.OPEN + region,
                                       maximum=MAX_OPEN_PER_REGION):
            for allocation in store.of_request(str(request["reference"])):
                allocation.setdefault("request_region", request.get("region"))
                found[str(allocation["id"])] = allocation
    for region in hub_regions:
        for site in lists.query_all(table, lists.SITES + region, maximum=MAX_SITES_PER_REGION):
            for allocation in store.of_site(str(site.get("id"))):
                if allocation.get("entity") == "allocation":
                    found.setdefault(str(allocation["id"]), allocation)
    return sorted((a for a in found.values()
                   if a.get("request_region") in regions
                   and first <= str(a.get("day", "")) <= last),
                  key=lambda a: (str(a.get("site_region", "")), str(a.get("site", "")),
                                 str(a.get("day", "")), str(a.get("reference", "")),
                                 str(a.get("id", ""))))


def _row(allocation: dict[str, Any], personal: dict[str, Any] | None) -> list[Any]:
    contact = dict((personal or {}).get("contact") or {})
    values = {k: allocation.get(k) for k in COLUMNS[:12]}
    for k in ("quantity", "produced", "shipped", "delivered"):
        values[k] = int(values[k] or 0)
    values.update({"contact_name": contact.get("name"), "contact_email": contact.get("email"),
                   "contact_phone": contact.get("phone"),
                   "delivery_address": (personal or {}).get("address")})
    return [values[c] for c in COLUMNS]


def _audit(table: Any, actor: str, references: list[str], rows: int, now: datetime) -> None:
    """One ``export_contacts`` entry (one per :data:`audit.MAX_RECORDS` requests if more),
    all in one transaction."""
    tx = dynamo.Transaction()
    for start in range(0, len(references), audit.MAX_RECORDS):
        tx.add(audit.entry(table.name, actor, "export_contacts",
                           references[start:start + audit.MAX_RECORDS], now,
                           {"rows": rows, "contacts": len(references)}))
    dynamo.transact(table.meta.client, tx)


def allocations_csv(call: Any) -> Any:
    """``GET /coordination/export.csv`` (a coordination handler: see coordination.Call)."""
    from .coordination import regions_in_scope

    request, settings, table = call.request, call.settings, call.table
    coordinator = current_coordinator(request)
    params = dict(request.query_params or {})
    regions = regions_in_scope(settings, coordinator, params.get("region"))
    first = _day(params, "from", FIRST_DAY) or FIRST_DAY
    last = _day(params, "to", first) or LAST_DAY
    hub_regions = list(config.load_hub(settings.hub_path).regions)
    people = RequestStore(table)
    personal: dict[str, dict[str, Any] | None] = {}
    rows = []
    for allocation in _allocations(table, hub_regions, regions, first, last):
        contact = None
        if allocation.get("status") in CONTACT_VISIBLE:
            reference = str(allocation["reference"])
            if reference not in personal:
                personal[reference] = people.get_personal(reference)
            contact = personal[reference]
        rows.append(_row(allocation, contact))
    now = datetime.now(timezone.utc)
    revealed = sorted(ref for ref, item in personal.items() if item is not None)
    if revealed:  # written before any contact leaves
        _audit(table, f"coordinator:{coordinator.id}", revealed, len(rows), now)
    return csv_response(BOM + csv_text(COLUMNS, rows),
                        f"usine-allocations-{now.date().isoformat()}.csv")
