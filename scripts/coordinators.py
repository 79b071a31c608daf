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

from chalicelib import catalog, config, coordinators, tables  # noqa: E402

# Every sentence the tool prints is in the catalogs ([scripts.coordinators]), in the
# language of the environment; the listing's column layout is not a word.
LANG = catalog.environment_language(os.environ)
ROW = "{id:<13} {status:<8} {valid_until:<21} {scope:<30} {name}"
ACTOR = "cli"


def words(key: str, **values: Any) -> str:
    return catalog.text(f"scripts.coordinators.{key}", LANG, **values)


def say(key: str, stream: Any = None, **values: Any) -> None:
    print(words(key, **values), file=stream or sys.stdout)


def stage_table(stage: str) -> str:
    chalice = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    return chalice["stages"][stage]["environment_variables"]["TABLE_NAME"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description=words("description"))
    top.add_argument("--table", help=words("help_table"))
    top.add_argument("--stage", help=words("help_stage"))
    top.add_argument("--endpoint-url", help=words("help_endpoint"))
    top.add_argument("--region", help=words("help_region"))
    commands = top.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help=words("help_issue"))
    issue.add_argument("--name", required=True, help=words("help_name"))
    scope = issue.add_mutually_exclusive_group(required=True)
    scope.add_argument("--regions", action="append", metavar="REGION",
                       help=words("help_regions"))
    scope.add_argument("--hub", action="store_true", help=words("help_hub"))
    issue.add_argument("--days", type=int, required=True,
                       help=words("help_days", max=coordinators.MAX_LIFETIME.days))
    listing = commands.add_parser("list", help=words("help_list"))
    listing.add_argument("--json", action="store_true", help=words("help_json"))
    revoke = commands.add_parser("revoke", help=words("help_revoke"))
    revoke.add_argument("id", help=words("help_id"))
    return top


def table_of(args: argparse.Namespace, settings: config.Settings) -> Any:
    name = args.table or settings.table_name or (stage_table(args.stage) if args.stage else None)
    if not name:
        raise SystemExit(words("no_table"))
    endpoint = args.endpoint_url or settings.dynamodb_endpoint
    region = args.region or settings.aws_region
    resource = tables.connect(endpoint, region, client_config=tables.TOOL_CLIENT_CONFIG)
    return resource.Table(name)


def scope_words(regions: tuple[str, ...] | list[str] | None) -> str:
    if regions is None:
        return words("scope_hub")
    return words("scope_regions", regions=", ".join(regions))


def issue(args: argparse.Namespace, table: Any, settings: config.Settings,
          out: argparse.ArgumentParser) -> int:
    if not 1 <= args.days <= coordinators.MAX_LIFETIME.days:
        out.error(words("bad_days", max=coordinators.MAX_LIFETIME.days))
    known = None if args.hub else config.load_hub(settings.hub_path).regions
    try:
        coordinator, token = coordinators.issue(
            table, args.name, None if args.hub else tuple(args.regions),
            timedelta(days=args.days), datetime.now(timezone.utc),
            known_regions=known, actor=ACTOR)
    except ValueError as exc:
        out.error(str(exc))
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
    print(ROW.format(**{column: words(f"col_{column}") for column in
                        ("id", "status", "valid_until", "scope", "name")}))
    for c in found:
        scope = c["scope"] if c["scope"] == coordinators.HUB else ", ".join(c["scope"])
        print(ROW.format(id=c["id"], status=c["status"], valid_until=c["valid_until"] or "",
                         scope=scope, name=c["name"] or ""))
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
