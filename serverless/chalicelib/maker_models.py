"""Pydantic models of a maker's capacity sign-up (``POST /makers``, ``PUT /makers/{id}``).

Capacity is a rate: units per day per design (2020's platforms counted machines, which a
planner cannot use), with the materials in stock and an availability window.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .fields import (
    DesignSlug, Email, IsoDate, Line, Model, OrgName, PersonName, Phone, Postcode,
    RegionName, RequestContext, VariantName, WholeNumber, check_consent, check_design,
    check_future_date, check_region, check_variant, merge_lines,
)

MAKER_KINDS = ("individual", "fablab", "school", "lab", "company")
MakerKind = Literal["individual", "fablab", "school", "lab", "company"]
TECHNOLOGIES = ("fdm", "sla", "laser", "cnc", "injection")
Technology = Literal["fdm", "sla", "laser", "cnc", "injection"]

MAX_MACHINES = 50
MAX_MACHINE_COUNT = 1000
MAX_MATERIALS = 30
MAX_OFFERS = 20
MAX_UNITS_PER_DAY = 100_000
MAX_BUILD_MM = 5000

MachineCount = WholeNumber(1, MAX_MACHINE_COUNT)
UnitsPerDay = WholeNumber(1, MAX_UNITS_PER_DAY)
Millimetres = WholeNumber(0, MAX_BUILD_MM)


class MakerContact(Model):
    """Personal data: stored apart, deleted at withdrawal, never returned publicly."""

    name: PersonName = Field(description="Person to contact about production.")
    email: Email
    phone: Phone | None = None


class Machine(Model):
    technology: Technology = Field(description="fdm, sla, laser, cnc or injection.")
    model: Line(100) = Field(description="Make and model, e.g. Prusa MK3S.")
    count: MachineCount = Field(description=f"How many, 1 to {MAX_MACHINE_COUNT}.")
    build_volume_mm: list[Millimetres] | None = Field(
        default=None, min_length=3, max_length=3,
        description="Build volume or bed size [x, y, z] in mm (z = 0 for a flat bed).",
    )


class Offer(Model):
    design: DesignSlug = Field(description="Slug of a published design (GET /designs).")
    variant: VariantName | None = Field(default=None, description="A variant, or any.")
    units_per_day: UnitsPerDay = Field(
        description=f"Sustained rate the maker can produce, 1 to {MAX_UNITS_PER_DAY} a day."
    )

    check_design = field_validator("design")(check_design)
    check_variant = field_validator("variant")(check_variant)


class Availability(Model):
    """The window runs from the earlier of the two dates to the later (given in either
    order, they are stored in order)."""

    start: IsoDate = Field(alias="from", description="First day of availability (YYYY-MM-DD).")
    until: IsoDate | None = Field(default=None, description="Last day, or open-ended.")

    check_start = field_validator("start")(check_future_date)

    @field_validator("until")
    @classmethod
    def _until(cls, value: date | None, info: ValidationInfo) -> date | None:
        return None if value is None else check_future_date(value, info)

    @model_validator(mode="after")
    def _in_order(self) -> "Availability":
        if self.until is not None and self.until < self.start:
            start, until = self.until, self.start
            object.__setattr__(self, "start", start)  # frozen: set once, while validating
            object.__setattr__(self, "until", until)
        return self


class MakerSignup(Model):
    """Body of ``POST /makers`` and ``PUT /makers/{id}``."""

    name: OrgName = Field(description="Maker, fablab, school, lab or company name.")
    kind: MakerKind
    contact: MakerContact
    region: RegionName = Field(description="One of the hub's regions (hub.toml).")
    postcode: Postcode
    machines: list[Machine] = Field(min_length=1, max_length=MAX_MACHINES)
    materials: list[Line(60)] = Field(default_factory=list, max_length=MAX_MATERIALS,
                                      description="Materials in stock (PETG, PLA...).")
    offers: list[Offer] = Field(
        min_length=1, max_length=MAX_OFFERS,
        description=f"1 to {MAX_OFFERS} offers. Offers naming the same design and variant "
        "are merged into one, their rates added (an offer without a variant is its own).",
    )
    availability: Availability
    consent: Literal[True] = Field(
        description="The maker agrees that the hub stores the contact details to "
        "coordinate production."
    )
    website: str | None = Field(default=None, max_length=500,
                                description="Leave empty: a trap for robots.")

    check_region = field_validator("region")(check_region)
    check_offers = field_validator("offers")(merge_lines("units_per_day"))
    check_consent = field_validator("consent", mode="before")(check_consent)


def parse_maker(data: Any, context: RequestContext) -> MakerSignup:
    """Validate a decoded JSON body; raises ``pydantic.ValidationError``."""
    return MakerSignup.model_validate(data, context=context)
