"""The missing-strings check of the shared catalogs (serverless/chalicelib/locales/).

    python scripts/catalogs.py check [--languages fr,ar] [--locales DIR] [--designs DIR]

For each language of the hub under test (USINE_HUB_CONFIG, else the repository's
hub.toml; or --languages), prints the catalog keys its file lacks (English has them:
they are shown in English), the design parameters whose title design.toml does not
give in that language ([parameters.<name>.title], English coming from model.py's title=)
and those whose description it does not give ([parameters.<name>.doc], English coming
from model.py's doc=; only for parameters the model describes), then exits 1 when
anything is missing, 0 otherwise. English itself is complete by definition (it is the
fallback) for the catalogs; its parameter titles and descriptions come from the models.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "serverless"))

from chalicelib import catalog  # noqa: E402


def hub_languages(hub_path: Path) -> list[str]:
    return list(tomllib.loads(hub_path.read_text(encoding="utf-8"))["hub"]["languages"])


def model_parameters(folder: Path, keyword: str | None = None) -> list[str]:
    """Names of the parameters a design's Python files declare with ``param(...)``
    (read from the source: the check needs neither CadQuery nor a build); with
    ``keyword``, only those whose ``param(...)`` gives it (``doc``: the described ones)."""
    names: list[str] = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", None) == "param"
                    and node.target.id not in names
                    and (keyword is None
                         or any(k.arg == keyword for k in node.value.keywords))):
                names.append(node.target.id)
    return names


def missing_texts(designs_dir: Path, lang: str, key: str) -> list[str]:
    """``<design>: <parameter>`` of every parameter whose ``key`` (``title`` or ``doc``)
    design.toml does not give in ``lang`` ([parameters.<name>.<key>]); for ``doc``, only
    the parameters the model describes (a ``doc=``): the others have nothing to translate."""
    if lang == catalog.FALLBACK_LANGUAGE:
        return []
    out = []
    for folder in sorted(p for p in designs_dir.iterdir() if (p / "design.toml").is_file()):
        meta = tomllib.loads((folder / "design.toml").read_text(encoding="utf-8"))
        given = meta.get("parameters") or {}
        for name in model_parameters(folder, "doc" if key == "doc" else None):
            text = (given.get(name) or {}).get(key)
            if not (isinstance(text, dict) and text.get(lang)):
                out.append(f"{folder.name}: {name}")
    return out


def missing_titles(designs_dir: Path, lang: str) -> list[str]:
    """``<design>: <parameter>`` of every parameter without a title in ``lang``."""
    return missing_texts(designs_dir, lang, "title")


def missing_docs(designs_dir: Path, lang: str) -> list[str]:
    """``<design>: <parameter>`` of every described parameter without a description
    (doc) in ``lang``."""
    return missing_texts(designs_dir, lang, "doc")


def check(languages: list[str], locales: Path, designs_dir: Path, out=None) -> int:
    out = out or sys.stdout
    missing_any = False
    for lang in languages:
        keys = catalog.missing_keys(lang, locales)
        titles = missing_titles(designs_dir, lang)
        docs = missing_docs(designs_dir, lang)
        has_file = (locales / f"{lang}.toml").is_file()
        print(f"{lang}: {len(keys)} missing catalog key(s), {len(titles)} missing parameter "
              f"title(s), {len(docs)} missing parameter doc(s)"
              f"{'' if has_file else f' (no {locales / lang}.toml)'}", file=out)
        for key in keys:
            print(f"  key {key}", file=out)
        for title in titles:
            print(f"  parameter {title}", file=out)
        for doc in docs:
            print(f"  parameter doc {doc}", file=out)
        missing_any = missing_any or bool(keys or titles or docs)
    return 1 if missing_any else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="list each language's missing strings")
    run.add_argument("--languages", help="comma-separated (default: hub.toml's languages)")
    run.add_argument("--locales", default=str(catalog.LOCALES_DIR))
    run.add_argument("--designs", default=str(ROOT / "designs"))
    args = parser.parse_args(argv)
    hub = Path(os.environ.get("USINE_HUB_CONFIG") or ROOT / "hub.toml")
    languages = args.languages.split(",") if args.languages else hub_languages(hub)
    return check(languages, Path(args.locales), Path(args.designs))


if __name__ == "__main__":
    sys.exit(main())
