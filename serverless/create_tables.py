"""Create the API's table (from chalicelib/tables.py) on any DynamoDB endpoint.

    .venv/bin/python serverless/create_tables.py --endpoint-url http://127.0.0.1:8002
    .venv/bin/python serverless/create_tables.py --stage prod          # real AWS, usine-prod

Idempotent: an existing table is left as is, gets the indexes and TTL it lacks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from chalicelib import tables  # noqa: E402


def stage_table(stage: str) -> str:
    config = json.loads((HERE / ".chalice" / "config.json").read_text())
    return config["stages"][stage]["environment_variables"]["TABLE_NAME"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint-url", help="DynamoDB Local URL (omit for AWS)")
    parser.add_argument("--stage", default="local", help="table of this Chalice stage")
    parser.add_argument("--table", help="table name (overrides --stage)")
    parser.add_argument("--region", help="AWS region (default: the environment's)")
    args = parser.parse_args(argv)
    name = args.table or stage_table(args.stage)
    resource = tables.connect(args.endpoint_url, args.region,
                              client_config=tables.TOOL_CLIENT_CONFIG)
    created = tables.ensure_table(resource.meta.client, name)
    print(f"table {name}: {'created' if created else 'already there'} "
          f"({args.endpoint_url or 'AWS'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
