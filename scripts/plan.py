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

from chalicelib import catalog, config, plans  # noqa: E402
from chalicelib.allocations import Actor  # noqa: E402



class CliActor(Actor):
    """The command's writes are audited as ``cli`` (audit.py's actor of the tools)."""

    @property
    def audit_name(self) -> str:
        return "cli"


ACTOR = CliActor("cli", "plan")
CSV_COLUMNS = ("reference", "item", "design", "variant", "region", "needed_by", "site",
               "site_region", "day", "quantity", "eta", "on_time")
# The words are in the catalogs ([scripts.plan]), in the environment's language; the
# table's column layout is not a word.
LANG = catalog.environment_language(os.environ)
ROW = ("{reference:<12} {item:>2} {design:<20} {region:<16} {needed_by:<10} "
       "{requested:>6} {planned:>6} {on_time:>6} {eta:<10}")
COLUMNS = ("reference", "item", "design", "region", "needed_by", "requested", "planned",
           "on_time", "eta")


def words(key: str, **values: Any) -> str:
    return catalog.text(f"scripts.plan.{key}", LANG, **values)


def _coordinator_cli() -> Any:
    spec = importlib.util.spec_from_file_location("coordinators_cli",
                                                  REPO / "scripts" / "coordinators.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description=words("description"))
    top.add_argument("--table", help=words("help_table"))
    top.add_argument("--stage", help=words("help_stage"))
    top.add_argument("--endpoint-url", help=words("help_endpoint"))
    top.add_argument("--region", dest="aws_region", help=words("help_region"))
    commands = top.add_subparsers(dest="command", required=True)
    propose = commands.add_parser("propose", help=words("help_propose"))
    propose.add_argument("--hub-region", dest="regions", action="append", metavar="REGION",
                         help=words("help_hub_region"))
    propose.add_argument("--days", type=int, default=plans.HORIZON_DAYS,
                         help=words("help_days", days=plans.HORIZON_DAYS))
    propose.add_argument("--csv", help=words("help_csv"))
    propose.add_argument("--json", action="store_true", help=words("help_json"))
    propose.add_argument("--accept", action="store_true", help=words("help_accept_all"))
    accept = commands.add_parser("accept", help=words("help_accept"))
    accept.add_argument("plan_id", help=words("help_plan_id"))
    accept.add_argument("--line", action="append", default=None, metavar="REF:ITEM",
                        help=words("help_line"))
    return top


def write_csv(proposal: dict[str, Any], stream: Any) -> None:
    out = csv.writer(stream)
    out.writerow(CSV_COLUMNS)
    for line in proposal["lines"]:
        for cell in line["allocations"]:
            row = {**line, **cell}
            out.writerow([row.get(c, "") for c in CSV_COLUMNS])


def print_table(proposal: dict[str, Any]) -> None:
    print(ROW.format(**{column: words(f"col_{column}") for column in COLUMNS}))
    for line in proposal["lines"]:
        print(ROW.format(**{**line, "eta": line.get("eta") or "-",
                                        "design": str(line["design"])[:20],
                                        "region": str(line["region"])[:16]}))
    print(words("totals", **proposal))


def accept(table: Any, plan_id: str, lines: list[tuple[str, int]] | None) -> int:
    now = datetime.now(timezone.utc)
    try:
        item = plans.load(table, plan_id.strip().upper(), now)
    except plans.Refused:
        print(words("not_found", id=plan_id), file=sys.stderr)
        return 1
    done = plans.accept_lines(table, item, ACTOR, lines, limit=10**6)
    counts = {"accepted": 0, "already": 0, "refused": 0}
    for r in done["lines"]:
        key = {"accepted": "accepted", "already_accepted": "already"}.get(r["status"],
                                                                          "refused")
        counts[key] += 1
        detail = ", ".join(r["allocations"]) or r.get("error") or ""
        print(words("accepted", detail=detail, **r))
    print(words("accept_totals", **counts))
    return 0 if counts["refused"] == 0 else 2


def parse_lines(values: list[str] | None, top: argparse.ArgumentParser) -> Any:
    if values is None:
        return None
    out = []
    for value in values:
        reference, _, item = value.rpartition(":")
        if not reference or not item.isdigit():
            top.error(words("bad_line"))
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

        print(i18n.general(exc.code, LANG, **exc.values), file=sys.stderr)
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
    print(words("accept_hint", id=proposal["id"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
