"""Parameter validation as the engine relies on it: errors name field, value and range."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cad.params import ParameterError, Params, param


@dataclass(frozen=True)
class P(Params):
    length: float = param(10.0, min=5, max=50, doc="Length.")
    count: int = param(2, min=1, unit="", doc="How many.")
    size: str = param("m", choices=("s", "m", "l"), unit="", doc="Size.")
    gap: float = param(1.0, min=0, max=3, doc="Gap.")

    def validate(self) -> None:
        if self.gap >= self.length / 2:
            self.fail("gap", "less than half the length")


def test_defaults_and_coercion():
    p = P.from_dict({"length": 12})
    assert p.length == 12.0 and isinstance(p.length, float)
    assert p.to_dict() == {"length": 12.0, "count": 2, "size": "m", "gap": 1.0}


@pytest.mark.parametrize("data, field, value, allowed", [
    ({"length": 100}, "length", 100, "from 5 to 50 mm"),
    ({"length": 1.5}, "length", 1.5, "from 5 to 50 mm"),
    ({"count": 0}, "count", 0, "at least 1"),
    ({"count": 1.5}, "count", 1.5, "a whole number"),
    ({"size": "xl"}, "size", "xl", "one of 's', 'm', 'l'"),
    ({"length": "ten"}, "length", "ten", "a finite number"),
    ({"colour": "red"}, "colour", "red", "not a parameter"),
])
def test_bad_value_names_field_value_and_range(data, field, value, allowed):
    with pytest.raises(ParameterError) as info:
        P.from_dict(data)
    err = info.value
    assert (err.field, err.value) == (field, value)
    message = str(err)
    assert f"P.{field} = {value!r}" in message and allowed in message
    assert "\n" not in message


def test_cross_field_rule():
    with pytest.raises(ParameterError, match=r"P\.gap = 3\.0 is not allowed: less than half"):
        P(length=5.0, gap=3.0)


def test_describe_lists_every_parameter():
    names = [d["name"] for d in P.describe()]
    assert names == ["length", "count", "size", "gap"]
