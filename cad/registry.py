"""Find the designs of a hub and turn each one's variant matrix into parameter sets.

A design is a folder `designs/<slug>/` holding `design.toml` (texts, status, variant
matrix) and a Python package: `__init__.py` and `model.py`, which implements the one
contract of cad.contract (`DesignModel`). Adding a design touches only its
folder, so everything here is discovered, never listed in code. Mistakes in a
design.toml are refused early with an error naming the file and the key, because a
maker editing a design should not have to read a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import os
import re
import sys
import tomllib
import traceback
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from cad import contract
from cad.params import ParameterError, Params

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO_ROOT / "designs"
DEFAULT_HUB = REPO_ROOT / "hub.toml"

TECHNOLOGIES = ("fdm", "laser")
STATUSES = ("prototype", "community", "clinical", "warning")
# Lowercase words joined by single hyphens: safe in URLs, file names and on every OS.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _show(path: Path | str) -> str:
    """A path as a maker would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class DesignError(ValueError):
    """A design (or hub.toml) that cannot be built as written: names file and key."""

    def __init__(self, path: Path | str, key: str, message: str):
        self.path, self.key, self.message = Path(path), key, message
        super().__init__(f"{_show(path)}: {key}: {message}")


@dataclass(frozen=True)
class Variant:
    """One buildable combination of a design's parameters."""

    design: str
    id: str
    params: Params

    def params_dict(self) -> dict[str, Any]:
        return self.params.to_dict()


@dataclass
class Design:
    """A design folder: its slug, location and validated design.toml contents.

    The model is imported only when needed (listing texts needs no CadQuery)."""

    slug: str
    path: Path
    metadata: dict[str, Any]
    _model: ModuleType | None = field(default=None, repr=False, compare=False)

    @property
    def toml_path(self) -> Path:
        return self.path / "design.toml"

    @property
    def model_path(self) -> Path:
        return self.path / "model.py"

    @property
    def technology(self) -> str:
        return self.metadata["technology"]

    @property
    def status(self) -> str:
        return self.metadata["status"]

    @property
    def version(self) -> str:
        return self.metadata["version"]

    @property
    def licence(self) -> str:
        return self.metadata["licence"]

    def model(self) -> ModuleType:
        """The design's model module, imported from its file on first use."""
        if self._model is None:
            self._model = load_model(self.model_path, self.slug)
        return self._model

    def variants(self) -> list[Variant]:
        """The variant matrix expanded into validated parameter sets (matrix order)."""
        return expand_variants(self)


# ---------------------------------------------------------------- design.toml

_REQUIRED: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("technology", str), ("status", str), ("licence", str), ("version", str),
    ("title.en", str), ("summary.en", str), ("not_certified_for.en", str),
    ("variants.id", str), ("variants.matrix", dict),
)
_TYPE_WORDS = {str: "a text value", dict: "a table"}


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def validate_metadata(data: dict[str, Any], path: Path | str) -> dict[str, Any]:
    """Check a parsed design.toml; raise DesignError naming the first bad key."""
    for key, kind in _REQUIRED:
        try:
            value = _lookup(data, key)
        except KeyError:
            raise DesignError(path, key, "required key is missing") from None
        if not isinstance(value, kind):
            raise DesignError(path, key, f"must be {_TYPE_WORDS[kind]}, got {value!r}")
        if kind is str and not value.strip():
            raise DesignError(path, key, "must not be empty")
    if data["technology"] not in TECHNOLOGIES:
        raise DesignError(path, "technology", f"{data['technology']!r} is not one of "
                          + ", ".join(TECHNOLOGIES))
    if data["status"] not in STATUSES:
        raise DesignError(path, "status", f"{data['status']!r} is not one of "
                          + ", ".join(STATUSES))
    for table in ("title", "summary", "not_certified_for"):
        for lang, text in data[table].items():
            if not isinstance(text, str) or not text.strip():
                raise DesignError(path, f"{table}.{lang}", "must be a non-empty text")
    for name, values in data["variants"]["matrix"].items():
        if not isinstance(values, list) or not values:
            raise DesignError(path, f"variants.matrix.{name}",
                              f"must be a non-empty list of values, got {values!r}")
    include = data["variants"].get("include", [])
    if not isinstance(include, list) or not all(isinstance(t, dict) for t in include):
        raise DesignError(path, "variants.include",
                          "must be a list of tables ([[variants.include]]), each one "
                          "variant's parameters")
    bom = data.get("bom", [])
    if not isinstance(bom, list) or not all(isinstance(line, dict) for line in bom):
        raise DesignError(path, "bom", "must be a list of [[bom]] tables")
    return data


def read_design(folder: Path | str) -> Design:
    """Parse and validate one design folder's design.toml (does not import the model)."""
    folder = Path(folder).resolve()
    toml_path = folder / "design.toml"
    if not SLUG_RE.match(folder.name):
        raise DesignError(folder, "folder name",
                          f"{folder.name!r} is not a slug (a-z, 0-9 and single hyphens)")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise DesignError(toml_path, "syntax", str(err)) from None
    validate_metadata(data, toml_path)
    for name in ("__init__.py", "model.py"):
        if not (folder / name).is_file():
            raise DesignError(folder / name, "file", "missing: every design is a package "
                              "(__init__.py) whose model.py implements cad.contract.DesignModel")
    return Design(slug=folder.name, path=folder, metadata=data)


def discover(root: Path | str | None = None) -> list[Design]:
    """Every `<root>/*/design.toml`, validated, sorted by slug (default root: designs/)."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    if not root.is_dir():
        raise DesignError(root, "designs folder", "does not exist")
    return [read_design(toml.parent) for toml in sorted(root.glob("*/design.toml"))]


# ---------------------------------------------------------------- hub.toml publish

def read_publish(hub_path: Path | str | None = None) -> list[str]:
    """hub.toml `[designs] publish`; everything (["*"]) when there is no hub.toml."""
    hub_path = Path(hub_path) if hub_path is not None else DEFAULT_HUB
    if not hub_path.is_file():
        return ["*"]
    data = tomllib.loads(hub_path.read_text(encoding="utf-8"))
    publish = data.get("designs", {}).get("publish", ["*"])
    if isinstance(publish, str):
        publish = [publish]
    if not isinstance(publish, list) or not all(isinstance(s, str) for s in publish):
        raise DesignError(hub_path, "designs.publish", "must be a list of design slugs or \"*\"")
    return publish


def select_published(designs: Iterable[Design], publish: list[str] | str,
                     source: Path | str = "hub.toml") -> list[Design]:
    """Keep the designs a hub publishes: a list of slugs, or "*" (alone or in the list)
    for all. A listed slug with no design folder is an error, not a silent skip."""
    designs = list(designs)
    if isinstance(publish, str):
        publish = [publish]
    if "*" in publish:
        return designs
    by_slug = {d.slug: d for d in designs}
    missing = [slug for slug in publish if slug not in by_slug]
    if missing:
        raise DesignError(source, "designs.publish",
                          f"no design folder for {', '.join(map(repr, missing))}; found: "
                          + (", ".join(sorted(by_slug)) or "none"))
    wanted = set(publish)
    return [d for d in designs if d.slug in wanted]


def published_designs(root: Path | str | None = None, hub: Path | str | None = None,
                      publish: list[str] | None = None) -> list[Design]:
    """The designs under `root` that the hub publishes. hub: the hub.toml to read
    `[designs] publish` from (default: the one next to `root`, so the repo's designs/
    uses the repo's hub.toml); publish: a list that overrides the file."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    hub_path = Path(hub) if hub is not None else root.resolve().parent / "hub.toml"
    if publish is None:
        publish = read_publish(hub_path)
    return select_published(discover(root), publish, source=hub_path)


# ---------------------------------------------------------------- model.py

def module_name(slug: str) -> str:
    """The package name of a design, unique per design so two designs' modules never
    collide (folder names have hyphens: the package is imported by path)."""
    return "usine_design_" + slug.replace("-", "_")


def _where(err: BaseException, folder: Path) -> str:
    """`(FILE line N)` of the deepest frame inside the design's package, if any."""
    if isinstance(err, SyntaxError) and err.lineno:
        return f" ({Path(err.filename or '').name} line {err.lineno})"
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if Path(f.filename).resolve().is_relative_to(folder)]
    return f" ({Path(frames[-1].filename).name} line {frames[-1].lineno})" if frames else ""


def _forget(name: str) -> None:
    """Drop a package and its submodules from sys.modules (the next import is fresh)."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def load_model(path: Path | str, slug: str) -> ModuleType:
    """Import a design's package from its folder (or the folder of its model.py) and
    return its model module, checked against cad.contract.DesignModel. Every call
    imports afresh, so an edited design is picked up."""
    path = Path(path).resolve()
    folder = path.parent if path.suffix == ".py" else path
    name = module_name(slug)
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        raise DesignError(folder / "__init__.py", "import", "cannot be loaded as Python")
    previous = {k: m for k, m in sys.modules.items() if k == name or k.startswith(name + ".")}
    _forget(name)
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package  # relative imports, dataclasses and typing look it up here
    try:
        spec.loader.exec_module(package)
        model = importlib.import_module(name + ".model")
    except Exception as err:
        _forget(name)
        sys.modules.update(previous)
        raise DesignError(folder / "model.py", "import",
                          f"{type(err).__name__}: {err}{_where(err, folder)}") from err
    check_model(model, folder / "model.py")
    return model


def check_model(module: ModuleType, path: Path | str) -> None:
    """Refuse a model that does not implement cad.contract.DesignModel: a missing member,
    PARAMS not a Params dataclass, or a function that does not take the engine's
    arguments. The error names the member."""
    params = getattr(module, "PARAMS", None)
    if not (isinstance(params, type) and issubclass(params, Params) and is_dataclass(params)):
        raise DesignError(path, "PARAMS", "must be a Params subclass (a frozen dataclass "
                          "declared with cad.params.param)")
    for member in contract.MEMBERS[1:]:
        fn = getattr(module, member, None)
        wanted = contract.arguments(member)
        usage = f"{member}({', '.join(wanted)})"
        if not callable(fn):
            raise DesignError(path, member, f"must be a function {usage} (cad.contract."
                              "DesignModel; every member is required)")
        try:
            inspect.signature(fn).bind(*wanted)
        except TypeError:
            raise DesignError(path, member, f"must take the arguments {usage}") from None
        except ValueError:  # a builtin without a signature: trust it
            pass


# ---------------------------------------------------------------- variants

def expand_variants(design: Design) -> list[Variant]:
    """Cartesian product of `[variants.matrix]`, then each `[[variants.include]]` table
    (one extra variant each, e.g. a stack of one size only); other parameters take
    their defaults.

    Refuses a matrix key that is not a parameter, a value the parameters refuse, and an
    id template giving a non-slug or duplicate id (two variants would overwrite files)."""
    toml_path = design.toml_path
    params_cls: type[Params] = design.model().PARAMS
    template: str = design.metadata["variants"]["id"]
    matrix: dict[str, list[Any]] = design.metadata["variants"]["matrix"]
    include: list[dict[str, Any]] = design.metadata["variants"].get("include", [])
    known = [f.name for f in fields(params_cls)]
    for where, keys_ in [("variants.matrix", matrix)] + \
            [(f"variants.include[{i}]", t) for i, t in enumerate(include)]:
        for key in keys_:
            if key not in known:
                raise DesignError(toml_path, f"{where}.{key}",
                                  f"not a parameter of {params_cls.__name__}; known: "
                                  + ", ".join(known))
    keys = list(matrix)
    seen: dict[str, dict[str, Any]] = {}
    variants: list[Variant] = []
    combos = [("variants.matrix", dict(zip(keys, combo)))
              for combo in itertools.product(*(matrix[k] for k in keys))]
    combos += [(f"variants.include[{i}]", dict(t)) for i, t in enumerate(include)]
    for where, chosen in combos:
        try:
            params = params_cls.from_dict(chosen)
        except ParameterError as err:
            raise DesignError(toml_path, f"{where}.{err.field}", str(err)) from err
        try:
            vid = template.format(**params.to_dict())
        except (KeyError, IndexError, ValueError, AttributeError) as err:
            raise DesignError(toml_path, "variants.id",
                              f"template {template!r} cannot be filled from the "
                              f"parameters: {type(err).__name__}: {err}") from None
        if not SLUG_RE.match(vid):
            raise DesignError(toml_path, "variants.id",
                              f"template {template!r} gives {vid!r} for {chosen}: not a slug "
                              "(a-z, 0-9 and single hyphens)")
        if vid in seen:
            raise DesignError(toml_path, "variants.id",
                              f"template {template!r} gives the same id {vid!r} for "
                              f"{seen[vid]} and {chosen}: put every matrix parameter in it")
        seen[vid] = chosen
        variants.append(Variant(design=design.slug, id=vid, params=params))
    return variants
