"""The hub.toml under test: the repository's, or a fork's named by ``USINE_HUB_CONFIG``
(CI runs the site, API and browser tests a second time against tests/fixtures/fork/).

Tests read the hub's languages, regions, country and designs from here, never from a list
of their own, so they hold for any fork.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from chalicelib import config

REPO = Path(__file__).resolve().parent.parent
PATH = Path(os.environ.get("USINE_HUB_CONFIG") or REPO / "hub.toml")

# A top-level table header of a TOML file: "[name]", "[name.sub]" or "[[name.sub]]".
HEADER = re.compile(r"^\[\[?([A-Za-z0-9_-]+)[^\n]*$", re.M)


def text() -> str:
    return PATH.read_text(encoding="utf-8")


def hub() -> config.Hub:
    return config.load_hub(PATH)


def with_tables(original: str, tables: str) -> str:
    """``original`` with every top-level table that ``tables`` gives replaced by
    ``tables``' (``[hub]`` also replaces ``[[hub.regions]]``): how a fork edits hub.toml."""
    given = set(HEADER.findall(tables))
    starts = [m.start() for m in HEADER.finditer(original)] + [len(original)]
    kept = [original[a:b] for a, b in zip(starts, starts[1:])
            if HEADER.match(original, a).group(1) not in given]
    return tables.rstrip() + "\n\n" + "".join(kept)
