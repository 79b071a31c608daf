"""Hypothesis strategies over a design's parameters, drawn from the ranges the design
declares (`cad.params.param(min=, max=, choices=)`, listed by `Params.describe()`).

The property tests build each parameter set with `st.data()`, drawing the fields in the
order the design's cross-field rules depend on them and narrowing each range by those
rules, so every draw is valid (no `assume`, no refused draw) and the draws still reach
every valid combination, the ranges' ends included.
"""

from __future__ import annotations

import math
import typing
from dataclasses import fields

from hypothesis import strategies as st


def declared(cls, name: str) -> dict:
    """The declared range of one parameter: min, max, choices and its type."""
    f = {f.name: f for f in fields(cls)}[name]
    return {**f.metadata, "type": typing.get_type_hints(cls)[name]}


def within(cls, name: str, lo: float | None = None, hi: float | None = None):
    """Values of `name` in its declared range, narrowed to [lo, hi] by a rule."""
    meta = declared(cls, name)
    if meta["choices"] is not None:
        return st.sampled_from(meta["choices"])
    a = meta["min"] if lo is None else max(lo, meta["min"])
    b = meta["max"] if hi is None else min(hi, meta["max"])
    assert a <= b, f"{cls.__name__}.{name}: no valid value from {a} to {b}"
    if meta["type"] is int:
        return st.integers(math.ceil(a), math.floor(b))
    return st.floats(a, b)


def zero_or(cls, name: str, lo: float, hi: float | None = None):
    """0 (the rule's 'none') or a value from lo to hi, for fields that skip (0, lo)."""
    meta = declared(cls, name)
    b = meta["max"] if hi is None else min(hi, meta["max"])
    return st.just(0.0) | within(cls, name, lo, hi) if lo <= b else st.just(0.0)


def numeric_fields(cls) -> list[str]:
    return [f.name for f in fields(cls) if declared(cls, f.name)["choices"] is None
            and (f.metadata.get("min") is not None or f.metadata.get("max") is not None)]


def out_of_range(cls, name: str):
    """A value of `name` outside its declared range (below its min or above its max)."""
    meta = declared(cls, name)
    lo, hi = meta["min"], meta["max"]
    if meta["type"] is int:
        sides = ([st.integers(lo - 100, math.ceil(lo) - 1)] if lo is not None else []) + \
                ([st.integers(math.floor(hi) + 1, hi + 100)] if hi is not None else [])
    else:
        sides = ([st.floats(lo - 100.0, lo, exclude_max=True)] if lo is not None else []) + \
                ([st.floats(hi, hi + 100.0, exclude_min=True)] if hi is not None else [])
    return st.one_of(sides)
