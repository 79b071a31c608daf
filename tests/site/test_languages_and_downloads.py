"""A hub's languages come from hub.toml and Babel's locale data (names, direction); a
language Material has no strings for builds in English theme strings with a warning. The
downloads are written once, at the site's root, and every language links that copy."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import build_site  # noqa: E402

from fakehub import make_fake_hub  # noqa: E402


@pytest.fixture(scope="module")
def wo_ur_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("wo-ur-hub")
    env = make_fake_hub(root)
    hub = Path(env["USINE_HUB_CONFIG"])
    text = hub.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages = .*$", 'languages = ["wo", "ur"]', text, count=1)
    hub.write_text(text, encoding="utf-8")
    site = tmp_path_factory.mktemp("wo-ur-site")
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        build_site.build(site)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return site


def test_a_language_material_lacks_falls_back_to_english_with_a_warning(capsys):
    assert build_site.theme_language("ur") == "ur"
    assert capsys.readouterr().err == ""
    assert build_site.theme_language("wo") == "en"
    assert "no translation for 'wo'" in capsys.readouterr().err


def test_wolof_and_urdu_build_with_babels_names_and_directions(wo_ur_site):
    for lang in ("wo", "ur"):
        page = (wo_ur_site / lang / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in page
        assert "Wolof" in page and "اردو" in page  # the switcher, from Babel
        body_dir = re.search(r'<body dir="(\w+)"', page).group(1)
        assert body_dir == {"wo": "ltr", "ur": "rtl"}[lang]
    redirect = (wo_ur_site / "index.html").read_text(encoding="utf-8")
    assert "Wolof" in redirect and "اردو" in redirect


def _links(page: str) -> list[str]:
    return re.findall(r'\b(?:href|src|data-glb|data-svg)="([^"#?]*downloads/[^"#?]*)"', page)


def test_downloads_are_stored_once_and_every_link_resolves(wo_ur_site):
    shared = wo_ur_site / "downloads"
    assert any(shared.rglob("*.stl")) and any(shared.rglob("SHA256SUMS"))
    assert any(shared.rglob("*.zip"))
    for lang in ("wo", "ur"):
        assert not (wo_ur_site / lang / "downloads").exists()
    checked = 0
    for lang in ("wo", "ur"):
        for page in (wo_ur_site / lang).rglob("*.html"):
            for url in _links(page.read_text(encoding="utf-8")):
                if urlsplit(url).scheme:
                    continue
                target = (page.parent / unquote(url)).resolve()
                assert target.is_relative_to(shared.resolve()), (page, url)
                assert target.is_file(), (page, url)
                checked += 1
    assert checked > 10
    # Each SHA256SUMS names files beside it.
    for sums in shared.rglob("SHA256SUMS"):
        for line in sums.read_text().splitlines():
            assert (sums.parent / line.split("  ", 1)[1]).is_file()
