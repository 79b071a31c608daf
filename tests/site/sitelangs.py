"""The languages the site tests use: every language of the hub under test (a fork's in
CI's second pass; the first is the default), and for the words of the site, those and
every language a catalog ships (serverless/chalicelib/locales/<lang>.toml)."""

from __future__ import annotations

import hub_under_test
from chalicelib import catalog

HUB = tuple(hub_under_test.hub().languages)
CATALOGS = tuple(sorted(p.stem for p in catalog.LOCALES_DIR.glob("*.toml")))
WORDS = tuple(dict.fromkeys([*HUB, *CATALOGS]))
