"""Design parameters: frozen dataclasses validated on construction.

Every length is in millimetres. A design declares its parameters with `param(...)`,
giving each a title, a description, a unit and the allowed range or choices, so the
build can refuse a bad value with a message a maker understands and the site can
document every option:

    @dataclass(frozen=True)
    class HeadbandParams(Params):
        band_height: float = param(12.0, min=5, max=30, doc="Height of the band.")

A wrong value raises `ParameterError` (a `ValueError`) naming the field, the value and
what is allowed. Rules between fields go in `validate()`, using `self.fail(...)`.
"""

from __future__ import annotations

import math
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any


class ParameterError(ValueError):
    """A parameter value outside what the design accepts."""

    def __init__(self, owner: str, name: str, value: Any, allowed: str):
        self.owner, self.field, self.value, self.allowed = owner, name, value, allowed
        super().__init__(f"{owner}.{name} = {value!r} is not allowed: {allowed}")


def param(
    default: Any,
    *,
    doc: str,
    title: str | None = None,
    unit: str = "mm",
    min: float | None = None,  # noqa: A002 - reads naturally at the call site
    max: float | None = None,  # noqa: A002
    choices: typing.Sequence[Any] | None = None,
) -> Any:
    """Declare a documented, range-checked parameter field with its default."""
    meta = {"doc": doc, "title": title, "unit": unit, "min": min, "max": max,
            "choices": tuple(choices) if choices is not None else None}
    return field(default=default, metadata=meta)


def _fmt(number: float) -> str:
    return f"{number:g}"


@dataclass(frozen=True)
class Params:
    """Base of every design's parameter set."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            object.__setattr__(self, f.name, self._checked(f, hints.get(f.name), value))
        self.validate()

    def validate(self) -> None:
        """Override to check rules between fields; call `self.fail` on a breach."""

    def fail(self, name: str, allowed: str) -> typing.NoReturn:
        raise ParameterError(type(self).__name__, name, getattr(self, name), allowed)

    def _checked(self, f, hint, value):
        owner = type(self).__name__
        meta = f.metadata
        unit = meta.get("unit") or ""
        unit_sfx = f" {unit}" if unit else ""
        if meta.get("choices") is not None:
            if value not in meta["choices"]:
                raise ParameterError(owner, f.name, value,
                                     "one of " + ", ".join(repr(c) for c in meta["choices"]))
            return value
        if hint is bool:
            if not isinstance(value, bool):
                raise ParameterError(owner, f.name, value, "true or false")
            return value
        if hint in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise ParameterError(owner, f.name, value,
                                     "a finite number" + (f" in {unit}" if unit else ""))
            given = value
            if hint is int:
                if value != int(value):
                    raise ParameterError(owner, f.name, value, "a whole number")
                value = int(value)
            else:
                value = float(value)
            lo, hi = meta.get("min"), meta.get("max")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                if lo is not None and hi is not None:
                    rng = f"from {_fmt(lo)} to {_fmt(hi)}{unit_sfx}"
                elif lo is not None:
                    rng = f"at least {_fmt(lo)}{unit_sfx}"
                else:
                    rng = f"at most {_fmt(hi)}{unit_sfx}"
                raise ParameterError(owner, f.name, given, rng)
            return value
        if hint is str and not isinstance(value, str):
            raise ParameterError(owner, f.name, value, "a text value")
        return value

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Params":
        """Build from plain data (a variant's settings), refusing unknown names."""
        known = {f.name for f in fields(cls)}
        for name in data:
            if name not in known:
                raise ParameterError(cls.__name__, name, data[name],
                                     "not a parameter; known: " + ", ".join(sorted(known)))
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One entry per parameter: name, title, doc, unit, default and allowed values."""
        out = []
        for f in fields(cls):
            meta = dict(f.metadata)
            default = f.default if f.default is not MISSING else None
            out.append({"name": f.name, "default": default,
                        "title": meta.get("title") or f.name.replace("_", " ").capitalize(),
                        "doc": meta.get("doc"), "unit": meta.get("unit"),
                        "min": meta.get("min"), "max": meta.get("max"),
                        "choices": list(meta["choices"]) if meta.get("choices") else None})
        return out
