"""Issue, list and revoke coordinator tokens (serverless/chalicelib/coordinators.py).

    .venv/bin/python scripts/coordinators.py issue --name "Nadia R." --regions Northshire --days 90
    .venv/bin/python scripts/coordinators.py issue --name "Hub desk" --hub --days 30
    .venv/bin/python scripts/coordinators.py list [--json]
    .venv/bin/python scripts/coordinators.py revoke C-7K3M9Q2XAB

The table and endpoint come from the environment the API reads (``TABLE_NAME``,
``DYNAMODB_ENDPOINT``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``USINE_HUB_CONFIG`` for the
regions), else from ``--table``/``--stage`` (the Chalice stage's ``TABLE_NAME``, as
serverless/create_tables.py) and ``--endpoint-url``. Against AWS, the usual AWS
credentials of whoever administers the hub.

The token is printed once: only its hash is stored. Issue and revoke write an audit entry
(actor ``cli``) in the same transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SERVERLESS = REPO / "serverless"
sys.path.insert(0, str(SERVERLESS))

from chalicelib import config, coordinators, tables  # noqa: E402

# Every sentence the tool prints (a later issue moves them to the catalogues).
MESSAGES = {
    "description": "Issue, list and revoke coordinator tokens.",
    "issued": "Coordinator {id} issued for {scope}, valid until {valid_until}.",
    "token_intro": "Token (shown this once and stored nowhere: give it to {name} now, "
                   "through a password manager, never by e-mail or chat):",
    "store_warning": "Store the token now: it cannot be shown again. If it is lost, revoke "
                     "{id} and issue a new one.",
    "scope_hub": "the whole hub",
    "scope_regions": "the regions {regions}",
    "revoked": "Coordinator {id} revoked: its token is refused from now on.",
    "unknown": "No coordinator {id}.",
    "none": "No coordinator yet.",
    "header": "{id:<13} {status:<8} {valid_until:<21} {scope:<30} {name}",
    "bad_days": "--days must be 1 to {max} days.",
    "bad_input": "{problem}",
    "no_table": "No table: set TABLE_NAME or give --table or --stage.",
    "storage_error": "DynamoDB refused or failed ({code}): nothing was changed.",
    "help_name": "who holds the token (shown by `list`, never logged)",
    "help_regions": "a region of hub.toml the coordinator covers (repeat for several)",
    "help_hub": "cover the whole hub (needed to read the audit log)",
    "help_days": "lifetime in days (1 to {max})",
    "help_json": "print JSON",
    "help_id": "the coordinator id (C-...)",
    "help_table": "table name (default: TABLE_NAME, else the stage's)",
    "help_stage": "Chalice stage whose TABLE_NAME to use when TABLE_NAME is not set",
    "help_endpoint": "DynamoDB endpoint URL (default: DYNAMODB_ENDPOINT; none: AWS)",
    "help_region": "AWS region (default: the environment's)",
    "help_issue": "issue a token",
    "help_list": "list coordinators (never their tokens)",
    "help_revoke": "revoke a token now",
}
ACTOR = "cli"


def say(key: str, stream: Any = None, **values: Any) -> None:
    print(MESSAGES[key].format(**values), file=stream or sys.stdout)


def stage_table(stage: str) -> str:
    chalice = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    return chalice["stages"][stage]["environment_variables"]["TABLE_NAME"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description=MESSAGES["description"])
    top.add_argument("--table", help=MESSAGES["help_table"])
    top.add_argument("--stage", help=MESSAGES["help_stage"])
    top.add_argument("--endpoint-url", help=MESSAGES["help_endpoint"])
    top.add_argument("--region", help=MESSAGES["help_region"])
    commands = top.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help=MESSAGES["help_issue"])
    issue.add_argument("--name", required=True, help=MESSAGES["help_name"])
    scope = issue.add_mutually_exclusive_group(required=True)
    scope.add_argument("--regions", action="append", metavar="REGION",
                       help=MESSAGES["help_regions"])
    scope.add_argument("--hub", action="store_true", help=MESSAGES["help_hub"])
    issue.add_argument("--days", type=int, required=True,
                       help=MESSAGES["help_days"].format(max=coordinators.MAX_LIFETIME.days))
    listing = commands.add_parser("list", help=MESSAGES["help_list"])
    listing.add_argument("--json", action="store_true", help=MESSAGES["help_json"])
    revoke = commands.add_parser("revoke", help=MESSAGES["help_revoke"])
    revoke.add_argument("id", help=MESSAGES["help_id"])
    return top


def table_of(args: argparse.Namespace, settings: config.Settings) -> Any:
    name = args.table or settings.table_name or (stage_table(args.stage) if args.stage else None)
    if not name:
        raise SystemExit(MESSAGES["no_table"])
    endpoint = args.endpoint_url or settings.dynamodb_endpoint
    region = args.region or settings.aws_region
    resource = tables.connect(endpoint, region, client_config=tables.TOOL_CLIENT_CONFIG)
    return resource.Table(name)


def scope_words(regions: tuple[str, ...] | list[str] | None) -> str:
    if regions is None:
        return MESSAGES["scope_hub"]
    return MESSAGES["scope_regions"].format(regions=", ".join(regions))


def issue(args: argparse.Namespace, table: Any, settings: config.Settings,
          out: argparse.ArgumentParser) -> int:
    if not 1 <= args.days <= coordinators.MAX_LIFETIME.days:
        out.error(MESSAGES["bad_days"].format(max=coordinators.MAX_LIFETIME.days))
    known = None if args.hub else config.load_hub(settings.hub_path).regions
    try:
        coordinator, token = coordinators.issue(
            table, args.name, None if args.hub else tuple(args.regions),
            timedelta(days=args.days), datetime.now(timezone.utc),
            known_regions=known, actor=ACTOR)
    except ValueError as exc:
        out.error(MESSAGES["bad_input"].format(problem=exc))
    say("issued", id=coordinator.id, scope=scope_words(coordinator.regions),
        valid_until=coordinator.valid_until)
    say("token_intro", name=coordinator.name)
    print(token)
    say("store_warning", sys.stderr, id=coordinator.id)
    return 0


def listing(args: argparse.Namespace, table: Any) -> int:
    found = coordinators.list_all(table, datetime.now(timezone.utc))
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not found:
        say("none")
        return 0
    say("header", id="id", status="status", valid_until="valid until", scope="scope",
        name="name")
    for c in found:
        scope = c["scope"] if c["scope"] == coordinators.HUB else ", ".join(c["scope"])
        say("header", id=c["id"], status=c["status"], valid_until=c["valid_until"] or "",
            scope=scope, name=c["name"] or "")
    return 0


def revoke(args: argparse.Namespace, table: Any) -> int:
    wanted = args.id.strip().upper()
    if not coordinators.revoke(table, wanted, datetime.now(timezone.utc), actor=ACTOR):
        say("unknown", sys.stderr, id=wanted)
        return 1
    say("revoked", id=wanted)
    return 0


def main(argv: list[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    top = parser()
    args = top.parse_args(argv)
    settings = config.settings(os.environ)
    table = table_of(args, settings)
    try:
        if args.command == "issue":
            return issue(args, table, settings, top)
        if args.command == "list":
            return listing(args, table)
        return revoke(args, table)
    except (ClientError, BotoCoreError) as exc:
        from chalicelib import faults

        say("storage_error", sys.stderr, code=faults.error_code(exc))
        return 3


if __name__ == "__main__":
    sys.exit(main())
