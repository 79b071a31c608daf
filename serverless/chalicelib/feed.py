"""The public open-data feed: ``GET /feed.json`` and ``GET /feed.csv``.

Demand, deliveries and capacity by day, region and design, for anyone (no auth, cached
``public, max-age=300``). One row per ``(day, region, design)`` with a non-zero value::

    day, region, design, requested, delivered, capacity_units_per_day

- ``requested``: units asked for by the requests created that day (UTC);
- ``delivered``: units confirmed as received that day;
- ``capacity_units_per_day``: units per day the makers offer on that day (an
  approximation for past days: :func:`stats.read_days` says which).

Read from the day counters kept on write (``STATS#DAYS``, ``STATS#MAKERS``): two
paginated queries, never a scan, never a request or maker item. So no personal field can
appear: the counters hold only dates, design slugs, hub region names and numbers.

Window: the last :data:`DEFAULT_DAYS` days up to today (UTC), or ``?since=YYYY-MM-DD`` up
to :data:`MAX_DAYS_BACK` days back (else 400 ``bad_parameter``, field ``since``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Sequence

from chalice import Response

from . import config, responses, stats
from .allocations import Refused

DEFAULT_DAYS = 60
MAX_DAYS_BACK = 366
CACHE = "public, max-age=300"
COLUMNS = ("day", "region", "design", "requested", "delivered", "capacity_units_per_day")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with ``'`` in front if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV (``csv`` module: commas, quotes and line breaks in a cell survive),
    a header row, every text cell made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    return out.getvalue()


def csv_response(body: str, filename: str, cache: str = "no-store") -> Response:
    return Response(body=body, status_code=200, headers={
        "Content-Type": CSV_CONTENT_TYPE, "Cache-Control": cache,
        "Content-Disposition": f'attachment; filename="{filename}"'})


def window(params: dict[str, str] | None, today: date) -> date:
    """The first day of the feed: ``since`` if given and valid, else 60 days back."""
    earliest = today - timedelta(days=MAX_DAYS_BACK)
    raw = (params or {}).get("since")
    if raw is None:
        return today - timedelta(days=DEFAULT_DAYS - 1)
    try:
        since = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        since = None
    if since is None or not earliest <= since <= today:
        raise Refused(400, "bad_parameter", "since", minimum=earliest.isoformat(),
                      maximum=today.isoformat())
    return since


def read(table: Any, since: date, today: date) -> list[dict[str, Any]]:
    """The feed's rows, by day, then region, then design."""
    return [{"day": day, "region": region, "design": design, "requested": v[0],
             "delivered": v[1], "capacity_units_per_day": v[2]}
            for (day, region, design), v in stats.read_days(table, since, today).items()]


def handle(request: Any, settings: config.Settings, get_table: Callable[[], Any],
           fmt: str) -> Any:
    """``GET /feed.json`` (``fmt`` "json") or ``GET /feed.csv`` ("csv")."""
    from . import handlers

    def work(lang: str) -> Any:
        now = datetime.now(timezone.utc)
        today = now.date()
        since = window(request.query_params, today)
        rows = read(get_table(), since, today)
        if fmt == "csv":
            return csv_response(csv_text(COLUMNS, ([r[c] for c in COLUMNS] for r in rows)),
                                f"usine-feed-{since.isoformat()}-{today.isoformat()}.csv",
                                CACHE)
        from .answers import Feed

        body = Feed.model_validate({
            "generated_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "since": since.isoformat(), "until": today.isoformat(), "rows": rows})
        return responses.json_response(200, body.model_dump(mode="json"), {"Cache-Control": CACHE})

    return handlers.answer(request, work)
