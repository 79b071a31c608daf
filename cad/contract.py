"""The one contract between the build engine and a design: `DesignModel`.

A design is a folder `designs/<slug>/` that is a Python package: `__init__.py`, and
`model.py`, the module that implements this protocol (it may import its siblings with
relative imports: `from .pegs import measure_pegs`). The engine (cad.build), the fit
check (cad.fit) and the site read a design only through these members; every member is
required, so what a design does is written in its model.py, not guessed from which
optional functions happen to exist. A design that has nothing to say returns the empty
value (`{}`, `None`, 1).

The registry (cad.registry.load_model) refuses a model that lacks a member, or whose
function does not take the arguments below, with an error naming the member.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Mapping, Protocol, runtime_checkable

from cad.params import Params

#: {key: path} of the files the engine wrote for a variant (stl, glb, <profile>.dxf,
#: 3mf, extra files...), given to checks() and interface() so they measure what is
#: published rather than the model's own numbers
Files = Mapping[str, Path]


@runtime_checkable
class DesignModel(Protocol):
    """What a design's model.py defines (as module-level names)."""

    #: the design's parameters: a frozen dataclass subclass of cad.params.Params
    PARAMS: type[Params]

    def build(self, p: Any) -> Any:
        """The part (a cadquery Workplane holding one solid, printed) or the parts (a
        cadquery Assembly, cut or assembled) for the parameters p."""

    def checks(self, p: Any, result: Any, files: Files) -> dict[str, dict[str, Any]]:
        """Design checks, {name: {"ok": bool, "detail": str, ...}}, measured on the
        files written (`files`) against independent facts; {} for none."""

    def profiles(self, p: Any) -> dict[str, Any]:
        """Named 2D cut profiles (Workplanes) written as <variant>.<name>.dxf; {} for a
        printed part."""

    def preview(self, p: Any, result: Any) -> Any:
        """A cadquery Assembly written as the GLB preview instead of the part (e.g. a
        stack shown as instances of one band), or None: the part is its own preview."""

    def extra_files(self, p: Any, result: Any, folder: Path, stem: str) -> dict[str, Path]:
        """More files written into `folder` (names starting with `stem`), {key: path};
        {} for none."""

    def units(self, p: Any) -> int:
        """How many finished items one print or cut job makes (print figures per unit)."""

    def figures(self, p: Any, result: Any) -> dict[str, Any]:
        """Design-specific figures for the page and the bench ({} for none)."""

    def interface(self, p: Any, result: Any, files: Files) -> dict[str, Any] | None:
        """What a mating design needs to know, as measured (cad.fit: pegs, holes), or
        None when the design mates with nothing."""


#: every member of the contract, in declaration order
MEMBERS: tuple[str, ...] = ("PARAMS",) + tuple(
    name for name, value in vars(DesignModel).items()
    if not name.startswith("_") and inspect.isfunction(value))


def arguments(member: str) -> tuple[str, ...]:
    """The arguments the engine passes to a member function, by name."""
    return tuple(inspect.signature(getattr(DesignModel, member)).parameters)[1:]  # no self


# ------------------------------------------------------------ the empty answers
# A model that has nothing to say for a member imports the empty answer under the member's
# name (`from cad.contract import no_preview as preview`): explicit in its model.py,
# written once here.


def no_profiles(p: Any) -> dict[str, Any]:
    """A printed part: no cut profile."""
    return {}


def no_preview(p: Any, result: Any) -> Any:
    """The part is its own preview."""
    return None


def no_extra_files(p: Any, result: Any, folder: Path, stem: str) -> dict[str, Path]:
    """Nothing beyond the engine's files."""
    return {}


def one_unit(p: Any) -> int:
    """One item per print or cut job."""
    return 1


def no_figures(p: Any, result: Any) -> dict[str, Any]:
    """No figure beyond the engine's."""
    return {}


def no_interface(p: Any, result: Any, files: Files | None = None) -> Any:
    """Mates with no other design."""
    return None
