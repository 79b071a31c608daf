"""Field types shared by the bodies, and the hub-dependent checks (regions, designs, dates).

Rules that depend on the hub (regions from hub.toml, published designs and variants from
the build manifest, today's date) are checked against a :class:`RequestContext` passed as
pydantic's validation ``context``. Every message is plain words, names a reason code of
:mod:`.i18n` and never repeats a personal value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Mapping

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationInfo,
)
from pydantic_core import PydanticCustomError

MAX_DAYS_AHEAD = 366  # a date more than a year away is a typo, not an emergency


@dataclass(frozen=True)
class RequestContext:
    """What validation needs from the hub: regions, designs (and variants), and today."""

    regions: tuple[str, ...]
    designs: tuple[str, ...]
    today: date
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @staticmethod
    def earliest_today(now: datetime | None = None) -> date:
        """The earliest calendar date anywhere on Earth right now (UTC-12).

        A requester late in the evening west of UTC must still be able to ask for "today".
        """
        now = now or datetime.now(timezone.utc)
        return (now.astimezone(timezone.utc) - timedelta(hours=12)).date()


def context_of(info: ValidationInfo) -> RequestContext:
    ctx = info.context
    if not isinstance(ctx, RequestContext):
        # A programming error, not bad input: RuntimeError is not turned into a 400.
        raise RuntimeError("validate bodies with a RequestContext (parse_request, parse_maker)")
    return ctx


# ------------------------------------------------------------------ text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _CONTROL_OR_NEWLINE.search(value):
        raise PydanticCustomError("single_line", "must be one line of text")
    return value


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value.replace("\r\n", "\n")


def Line(max_length: int, min_length: int = 1) -> Any:  # noqa: N802 (a type factory)
    """A trimmed one-line text of bounded length."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_single_line),
    ]


def Text(max_length: int, min_length: int = 1) -> Any:  # noqa: N802
    """A trimmed multi-line text of bounded length."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_multi_line),
    ]


_EMAIL = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\.]+(\.[^\s@<>(),;:\"\[\]\\.]+)+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("email", "must be an email address like name@example.org")
    return value


_PHONE = re.compile(r"^\+?[0-9 ().\-/]+$")


def _phone(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 6 <= digits <= 20:
        raise PydanticCustomError(
            "phone", "must be a phone number: digits, spaces and + ( ) - . / only"
        )
    return value


_POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$")


def _postcode(value: str) -> str:
    if not _POSTCODE.match(value):
        raise PydanticCustomError("postcode", "must be a postcode: letters, digits, spaces, -")
    return value


_REGISTRY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,31}$")


def _registry_id(value: str) -> str:
    if not _REGISTRY_ID.match(value):
        raise PydanticCustomError(
            "registry_id", "must be a registry number: 2 to 32 letters, digits, spaces, -"
        )
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("date_invalid", "is not a real calendar date") from None


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_phone)]
Postcode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=12),
    AfterValidator(_postcode),
]
RegistryId = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_registry_id)
]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
OrgName = Line(200)
PersonName = Line(120)
RegionName = Line(100)
DesignSlug = Line(64)
VariantName = Line(64)
Address = Text(500)
Notes = Text(2000, min_length=0)


class Model(BaseModel):
    """Base of every body: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ------------------------------------------------------------------ hub checks


def check_region(value: str, info: ValidationInfo) -> str:
    """A region of hub.toml, matched without case; returns the hub's spelling."""
    regions = context_of(info).regions
    for region in regions:
        if region.casefold() == value.casefold():
            return region
    raise PydanticCustomError(
        "region", "is not a region of this hub: choose one of {choices}",
        {"choices": ", ".join(regions)},
    )


def check_design(value: str, info: ValidationInfo) -> str:
    designs = context_of(info).designs
    if value not in designs:
        raise PydanticCustomError(
            "design", "is not a published design: choose one of {choices}",
            {"choices": ", ".join(designs) or "(none published yet)"},
        )
    return value


def check_variant(value: str | None, info: ValidationInfo) -> str | None:
    """A variant of the line's design (validated before it); None stays None."""
    if value is None:
        return None
    design = info.data.get("design")
    if design is None:  # the design itself is wrong: that error is enough
        return value
    variants = context_of(info).variants.get(design, ())
    if value not in variants:
        raise PydanticCustomError(
            "variant", "is not a variant of this design: choose one of {choices}",
            {"choices": ", ".join(variants) or "(none)"},
        )
    return value


def check_future_date(value: date, info: ValidationInfo) -> date:
    today = context_of(info).today
    if value < today:
        raise PydanticCustomError("date_past", "must not be in the past")
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        raise PydanticCustomError("date_far", "must be within a year from today")
    return value


def check_consent(value: Any) -> Any:
    if value is not True:
        raise PydanticCustomError(
            "consent", "must be true: the hub needs your agreement to store your contact"
        )
    return value


def check_unique_lines(lines: list[Any]) -> list[Any]:
    """One line per (design, variant)."""
    seen: set[tuple[str, str | None]] = set()
    for line in lines:
        key = (line.design, line.variant)
        if key in seen:
            raise PydanticCustomError(
                "duplicate_design",
                "lists {design} twice: give one line per design with the total quantity",
                {"design": line.design if line.variant is None else f"{line.design} {line.variant}"},
            )
        seen.add(key)
    return lines
