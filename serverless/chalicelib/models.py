"""Pydantic models of the API's bodies (the same models will produce the OpenAPI document).

Rules that depend on the hub (delivery regions from hub.toml, published designs from the
build manifest, today's date) are checked against a :class:`RequestContext` passed as
pydantic's validation ``context``; use :func:`parse_request`, which always passes one.
Every message is plain words and never repeats a personal value (they go back to the
form and may be logged by field name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

ORGANIZATION_TYPES = ("hospital", "clinic", "care-home", "pharmacy", "other")
OrganizationType = Literal["hospital", "clinic", "care-home", "pharmacy", "other"]

MIN_QUANTITY = 1
MAX_QUANTITY = 100_000
MAX_ITEMS = 20
MAX_DAYS_AHEAD = 366  # a need more than a year away is a typo, not an emergency
REQUEST_STATUS_SUBMITTED = "submitted"


@dataclass(frozen=True)
class RequestContext:
    """What validation needs from the hub: accepted regions and designs, and today."""

    regions: tuple[str, ...]
    designs: tuple[str, ...]
    today: date

    @staticmethod
    def earliest_today(now: datetime | None = None) -> date:
        """The earliest calendar date anywhere on Earth right now (UTC-12).

        A requester late in the evening west of UTC must still be able to ask for "today".
        """
        now = now or datetime.now(timezone.utc)
        return (now.astimezone(timezone.utc) - timedelta(hours=12)).date()


def _context(info: ValidationInfo) -> RequestContext:
    ctx = info.context
    if not isinstance(ctx, RequestContext):
        # A programming error, not bad input: RuntimeError is not turned into a 400.
        raise RuntimeError("validate requests with parse_request(data, context)")
    return ctx


# ------------------------------------------------------------------ field types

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
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
OrgName = Line(200)
PersonName = Line(120)
RegionName = Line(100)
DesignSlug = Line(64)
Address = Text(500)
Notes = Text(2000, min_length=0)
Quantity = Annotated[int, Field(strict=True, ge=MIN_QUANTITY, le=MAX_QUANTITY)]


class Model(BaseModel):
    """Base of every body: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ request


class Organization(Model):
    name: OrgName = Field(description="Name of the requesting organization.")
    type: OrganizationType = Field(description="Kind of organization.")


class Contact(Model):
    """Personal data: stored apart, with an expiry, never returned publicly."""

    name: PersonName = Field(description="Person to contact about this request.")
    email: Email
    phone: Phone


class Delivery(Model):
    region: RegionName = Field(description="One of the hub's delivery regions (hub.toml).")
    postcode: Postcode
    address: Address = Field(description="Street address (personal data, stored apart).")

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str, info: ValidationInfo) -> str:
        regions = _context(info).regions
        for region in regions:
            if region.casefold() == value.casefold():
                return region  # the hub's spelling
        raise PydanticCustomError(
            "region", "is not a delivery region of this hub: choose one of {choices}",
            {"choices": ", ".join(regions)},
        )


class Item(Model):
    design: DesignSlug = Field(description="Slug of a published design.")
    quantity: Quantity = Field(description=f"Units wanted, {MIN_QUANTITY} to {MAX_QUANTITY}.")

    @field_validator("design")
    @classmethod
    def _published(cls, value: str, info: ValidationInfo) -> str:
        designs = _context(info).designs
        if value not in designs:
            raise PydanticCustomError(
                "design", "is not a published design: choose one of {choices}",
                {"choices": ", ".join(designs) or "(none published yet)"},
            )
        return value


class PartRequest(Model):
    """Body of ``POST /requests``."""

    organization: Organization
    contact: Contact
    delivery: Delivery
    items: list[Item] = Field(min_length=1, max_length=MAX_ITEMS)
    needed_by: IsoDate = Field(description="Date the parts are needed by (YYYY-MM-DD).")
    notes: Notes | None = None
    consent: Literal[True] = Field(
        description="The requester agrees that the hub stores the contact details to "
        "handle this request."
    )

    @field_validator("items")
    @classmethod
    def _one_line_per_design(cls, items: list[Item]) -> list[Item]:
        seen: set[str] = set()
        for item in items:
            if item.design in seen:
                raise PydanticCustomError(
                    "duplicate_design",
                    "lists {design} twice: give one line per design with the total quantity",
                    {"design": item.design},
                )
            seen.add(item.design)
        return items

    @field_validator("needed_by")
    @classmethod
    def _not_past(cls, value: date, info: ValidationInfo) -> date:
        today = _context(info).today
        if value < today:
            raise PydanticCustomError("date_past", "must not be in the past")
        if value > today + timedelta(days=MAX_DAYS_AHEAD):
            raise PydanticCustomError("date_far", "must be within a year from today")
        return value

    @field_validator("notes")
    @classmethod
    def _empty_notes(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> Any:
        if value is not True:
            raise PydanticCustomError(
                "consent", "must be true: the hub needs your agreement to store your contact"
            )
        return value


def parse_request(data: Any, context: RequestContext) -> PartRequest:
    """Validate a decoded JSON body; raises ``pydantic.ValidationError``."""
    return PartRequest.model_validate(data, context=context)


# ------------------------------------------------------------------ responses


class RequestCreated(Model):
    """Body of the 201 answer to ``POST /requests``."""

    reference: str = Field(description="Reference to quote when asking about the request.")
    status: Literal["submitted"] = REQUEST_STATUS_SUBMITTED


class ErrorBody(Model):
    """Body of every error answer."""

    error: str = Field(description="Machine-readable code, e.g. invalid_request.")
    message: str = Field(description="Plain-words explanation.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Dotted path of each bad field (items.0.quantity) -> what is wrong.",
    )
    codes: dict[str, str] = Field(
        default_factory=dict,
        description="Same paths -> machine-readable reason (missing, string_too_long, "
        "greater_than_equal, region, design, date_past, consent...), for translated forms.",
    )
