"""Plan the open requests on the active sites (the planner, chalicelib/planner.py), from a
coordinator's computer: the Lambda package does not carry the solver (serverless/README.md).

    .venv/bin/python scripts/plan.py propose [--region REGION ...] [--days 21] [--csv FILE]
    .venv/bin/python scripts/plan.py propose --accept          # and allocate it all
    .venv/bin/python scripts/plan.py accept PLAN_ID [--line R-XXXXXXXX:0 ...]

``propose`` reads the same table as the API (``TABLE_NAME``, ``DYNAMODB_ENDPOINT``,
``AWS_REGION``, ``USINE_HUB_CONFIG``; or ``--table``/``--stage``/``--endpoint-url``, as
scripts/coordinators.py), stores the proposal (``PLAN#<id>``, valid three days) and prints
it: one row per line with its ETA, then the totals and the LP bound (``--csv`` writes the
allocations proposed, ``--json`` prints the whole proposal). ``accept`` creates the
allocations of a stored plan (all its lines, or those given), each line once however often
it is run; a line whose request changed since is refused and listed. The API's
``POST /coordination/plans/{id}/accept`` does the same for a plan made here.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SERVERLESS = REPO / "serverless"
sys.path.insert(0, str(SERVERLESS))

from chalicelib import config, plans  # noqa: E402
from chalicelib.allocations import Actor  # noqa: E402



class CliActor(Actor):
    """The command's writes are audited as ``cli`` (audit.py's actor of the tools)."""

    @property
    def audit_name(self) -> str:
        return "cli"


ACTOR = CliActor("cli", "plan")
CSV_COLUMNS = ("reference", "item", "design", "variant", "region", "needed_by", "site",
               "site_region", "day", "quantity", "eta", "on_time")
MESSAGES = {
    "row": "{reference:<12} {item:>2} {design:<20} {region:<16} {needed_by:<10} "
           "{requested:>6} {planned:>6} {on_time:>6} {eta:<10}",
    "totals": "Plan {id}: {planned} of {demanded} units planned, {on_time} on time "
              "(LP bound {bound_on_time}), {seconds} s. Valid until {valid_until}.",
    "accept_hint": "Accept it: scripts/plan.py accept {id}",
    "accepted": "{status:<16} {reference} line {item}: {detail}",
    "accept_totals": "{accepted} line(s) accepted, {already} already, {refused} refused.",
    "not_found": "No plan {id} (or it expired).",
    "bad_line": "--line takes REFERENCE:ITEM, e.g. R-7K3M9Q2X:0",
}


def _coordinator_cli() -> Any:
    spec = importlib.util.spec_from_file_location("coordinators_cli",
                                                  REPO / "scripts" / "coordinators.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description="Plan the open requests on the active sites.")
    top.add_argument("--table")
    top.add_argument("--stage")
    top.add_argument("--endpoint-url")
    top.add_argument("--region", dest="aws_region", help="AWS region")
    commands = top.add_subparsers(dest="command", required=True)
    propose = commands.add_parser("propose", help="plan and store the proposal")
    propose.add_argument("--hub-region", dest="regions", action="append", metavar="REGION",
                         help="a hub region to plan (repeat; default: every region)")
    propose.add_argument("--days", type=int, default=plans.HORIZON_DAYS)
    propose.add_argument("--csv", help="write the proposed allocations as CSV (- = stdout)")
    propose.add_argument("--json", action="store_true", help="print the proposal as JSON")
    propose.add_argument("--accept", action="store_true", help="allocate it all now")
    accept = commands.add_parser("accept", help="allocate a stored plan")
    accept.add_argument("plan_id")
    accept.add_argument("--line", action="append", default=None, metavar="REF:ITEM")
    return top


def write_csv(proposal: dict[str, Any], stream: Any) -> None:
    out = csv.writer(stream)
    out.writerow(CSV_COLUMNS)
    for line in proposal["lines"]:
        for cell in line["allocations"]:
            row = {**line, **cell}
            out.writerow([row.get(c, "") for c in CSV_COLUMNS])


def print_table(proposal: dict[str, Any]) -> None:
    print(MESSAGES["row"].format(reference="reference", item="#", design="design",
                                 region="region", needed_by="needed by",
                                 requested="left", planned="plan", on_time="ontime",
                                 eta="eta"))
    for line in proposal["lines"]:
        print(MESSAGES["row"].format(**{**line, "eta": line.get("eta") or "-",
                                        "design": str(line["design"])[:20],
                                        "region": str(line["region"])[:16]}))
    print(MESSAGES["totals"].format(**proposal))


def accept(table: Any, plan_id: str, lines: list[tuple[str, int]] | None) -> int:
    now = datetime.now(timezone.utc)
    try:
        item = plans.load(table, plan_id.strip().upper(), now)
    except plans.Refused:
        print(MESSAGES["not_found"].format(id=plan_id), file=sys.stderr)
        return 1
    done = plans.accept_lines(table, item, ACTOR, lines, limit=10**6)
    counts = {"accepted": 0, "already": 0, "refused": 0}
    for r in done["lines"]:
        key = {"accepted": "accepted", "already_accepted": "already"}.get(r["status"],
                                                                          "refused")
        counts[key] += 1
        detail = ", ".join(r["allocations"]) or r.get("error") or ""
        print(MESSAGES["accepted"].format(detail=detail, **r))
    print(MESSAGES["accept_totals"].format(**counts))
    return 0 if counts["refused"] == 0 else 2


def parse_lines(values: list[str] | None, top: argparse.ArgumentParser) -> Any:
    if values is None:
        return None
    out = []
    for value in values:
        reference, _, item = value.rpartition(":")
        if not reference or not item.isdigit():
            top.error(MESSAGES["bad_line"])
        out.append((reference.strip().upper(), int(item)))
    return out


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    settings = config.settings(os.environ)
    cli = _coordinator_cli()
    args.region = args.aws_region
    table = cli.table_of(args, settings)
    if args.command == "accept":
        return accept(table, args.plan_id, parse_lines(args.line, top))
    hub_regions = list(config.load_hub(settings.hub_path).regions)
    regions = args.regions or hub_regions
    unknown = [r for r in regions if r not in hub_regions]
    if unknown:
        top.error("unknown region(s): " + ", ".join(unknown))
    if not 1 <= args.days <= plans.MAX_HORIZON_DAYS:
        top.error(f"--days must be 1 to {plans.MAX_HORIZON_DAYS}")
    try:
        proposal = plans.propose(table, regions, datetime.now(timezone.utc), days=args.days,
                                 actor="cli")
    except plans.Refused as exc:
        from chalicelib import i18n

        print(i18n.general(exc.code, "en", **exc.values), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(proposal, ensure_ascii=False, indent=2))
    else:
        print_table(proposal)
    if args.csv:
        if args.csv == "-":
            write_csv(proposal, sys.stdout)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as f:
                write_csv(proposal, f)
    if args.accept:
        return accept(table, proposal["id"], None)
    print(MESSAGES["accept_hint"].format(id=proposal["id"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
