"""Command line: `python -m cad build | list | bench`.

Meant for makers as much as for CI: a mistake in a design.toml or a parameter value is
one line naming the file, the field, the value and what is allowed (exit status 2), never
a traceback; a model that raises names the design, the variant and the exception (exit
status 1, other variants still built).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from cad.params import ParameterError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=None,
                        help="folder holding the designs (default: the repo's designs/)")
    parser.add_argument("--hub", type=Path, default=None,
                        help="hub.toml whose [designs] publish is used "
                             "(default: the one next to the designs folder)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cad",
                                     description="Build and list Usine's parametric designs.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build every variant (cached) into STL/GLB/SVG/STEP/DXF, "
                                      "sliced and fit-checked")
    _common(p)
    p.add_argument("--design", action="append", metavar="SLUG",
                   help="build only this design (repeatable); others keep their records")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: number of CPUs)")
    p.add_argument("--force", action="store_true", help="rebuild even what is cached")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: the repo's build/)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--verbose", action="store_true", help="full tracebacks of failures")

    p = sub.add_parser("list", help="list designs, their variants and parameters")
    _common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("bench", help="time a cold build, then a cached rebuild")
    _common(p)
    p.add_argument("--design", action="append", metavar="SLUG")
    p.add_argument("--jobs", type=int, default=None, metavar="N")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _cmd_build(args: argparse.Namespace) -> int:
    from cad.build import build

    report = build(args.root, args.out, designs=args.design, jobs=args.jobs,
                   force=args.force, hub=args.hub, progress=not args.quiet)
    for failure in report.failures:
        print(failure.line(), file=sys.stderr)
        if args.verbose:
            print(failure.traceback, file=sys.stderr)
    for name, checks in report.failed_checks.items():
        print(f"check failed: {name}: {', '.join(checks)}", file=sys.stderr)
    print(report.summary())
    return EXIT_OK if report.exit_code == 0 else EXIT_FAILED


def _cmd_list(args: argparse.Namespace) -> int:
    from cad.registry import published_designs

    designs = published_designs(args.root, args.hub)
    rows = []
    for design in designs:
        rows.append({"design": design.slug, "technology": design.technology,
                     "status": design.status, "version": design.version,
                     "title": design.metadata["title"].get("en", ""),
                     "variants": [{"variant": v.id, "params": v.params_dict()}
                                  for v in design.variants()]})
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        print(f"{row['design']}  ({row['technology']}, {row['status']}, v{row['version']})"
              f"  {row['title']}")
        for v in row["variants"]:
            params = ", ".join(f"{k}={val}" for k, val in v["params"].items())
            print(f"  {v['variant']}: {params}")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from cad.bench import bench

    result = bench(args.root, jobs=args.jobs, hub=args.hub, designs=args.design)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"cold build:      {result['cold_seconds']:.2f} s "
              f"({result['variants']} variants, {result['jobs']} jobs)")
        print(f"cached rebuild:  {result['cached_seconds']:.2f} s "
              f"(rebuilt {result['cached_rebuilt']})")
        print(f"ratio cold/cached: {result['ratio']}x")
    for line in result["failures"]:
        print(line, file=sys.stderr)
    return EXIT_FAILED if result["failures"] else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    from cad.registry import DesignError

    try:
        return {"build": _cmd_build, "list": _cmd_list, "bench": _cmd_bench}[args.command](args)
    except (DesignError, ParameterError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
