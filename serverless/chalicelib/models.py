"""Pydantic models of the part-request bodies (they also produce the OpenAPI document).

Hub-dependent rules (regions, designs, variants, today) are checked against a
:class:`~.fields.RequestContext`; use :func:`parse_request`, which always passes one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from .fields import (
    MAX_DAYS_AHEAD, Address, DesignSlug, Email, IsoDate, Line, Model, Notes, OrgName,
    PersonName, Phone, Postcode, RegionName, RegistryId, RequestContext, VariantName,
    WholeNumber, check_consent, check_design, check_future_date, check_region, check_variant,
    merge_lines,
)

__all__ = [
    "ORGANIZATION_TYPES", "MIN_QUANTITY", "MAX_QUANTITY", "MAX_ITEMS", "HONEYPOT",
    "REQUEST_STATUS_SUBMITTED", "RequestContext", "Organization", "Contact", "Delivery",
    "Item", "PartRequest", "parse_request", "Line",
]

ORGANIZATION_TYPES = ("hospital", "clinic", "care-home", "pharmacy", "other")
OrganizationType = Literal["hospital", "clinic", "care-home", "pharmacy", "other"]

MIN_QUANTITY = 1
MAX_QUANTITY = 100_000
MAX_ITEMS = 20
HONEYPOT = "website"  # the hidden field robots fill
REQUEST_STATUS_SUBMITTED = "submitted"

Quantity = WholeNumber(MIN_QUANTITY, MAX_QUANTITY)


class Organization(Model):
    name: OrgName = Field(description="Name of the requesting organization.")
    type: OrganizationType = Field(description="Kind of organization.")
    registry_id: RegistryId | None = Field(
        default=None,
        description="The organization's number in the registry named in hub.toml "
        "([country] registry). With the postcode it recognises a repeat requester.",
    )


class Contact(Model):
    """Personal data: stored apart, with an expiry, never returned publicly."""

    name: PersonName = Field(description="Person to contact about this request.")
    email: Email
    phone: Phone


class Delivery(Model):
    region: RegionName = Field(description="One of the hub's regions (hub.toml).")
    postcode: Postcode
    address: Address = Field(description="Street address (personal data, stored apart).")

    check_region = field_validator("region")(check_region)


class Item(Model):
    design: DesignSlug = Field(description="Slug of a published design (GET /designs).")
    variant: VariantName | None = Field(
        default=None, description="One of the design's variants; any variant when absent."
    )
    quantity: Quantity = Field(description=f"Units wanted, {MIN_QUANTITY} to {MAX_QUANTITY}.")

    check_design = field_validator("design")(check_design)
    check_variant = field_validator("variant")(check_variant)


class PartRequest(Model):
    """Body of ``POST /requests``."""

    organization: Organization
    contact: Contact
    delivery: Delivery
    items: list[Item] = Field(
        min_length=1, max_length=MAX_ITEMS,
        description=f"1 to {MAX_ITEMS} lines. Lines naming the same design and variant are "
        "merged into one, their quantities added (a line without a variant is its own).",
    )
    needed_by: IsoDate = Field(
        description="Date the parts are needed by (YYYY-MM-DD): from today, counted in the "
        f"earliest time zone (UTC-12), to {MAX_DAYS_AHEAD} days later."
    )
    notes: Notes | None = None
    consent: Literal[True] = Field(
        description="The requester agrees that the hub stores the contact details to "
        "handle this request."
    )
    website: str | None = Field(default=None, max_length=500,
                                description="Leave empty: a trap for robots (filled, the "
                                "request is answered as accepted and not stored).")

    check_items = field_validator("items")(merge_lines("quantity"))
    check_needed_by = field_validator("needed_by")(check_future_date)
    check_consent = field_validator("consent", mode="before")(check_consent)

    @field_validator("notes")
    @classmethod
    def _empty_notes(cls, value: str | None) -> str | None:
        return value or None

    def requester_key(self) -> str | None:
        """``REGISTRYID#POSTCODE`` normalised, or None without a registry id."""
        if not self.organization.registry_id:
            return None
        norm = lambda s: "".join(s.split()).replace("-", "").upper()  # noqa: E731
        return f"{norm(self.organization.registry_id)}#{norm(self.delivery.postcode)}"


def parse_request(data: Any, context: RequestContext) -> PartRequest:
    """Validate a decoded JSON body; raises ``pydantic.ValidationError``."""
    return PartRequest.model_validate(data, context=context)


def honeypot_filled(data: Any) -> bool:
    """True when a decoded body fills the hidden field (robots do; people cannot see it)."""
    if not isinstance(data, dict):
        return False
    value = data.get(HONEYPOT)
    # Only text counts (what a robot types into a text box); another type is a bad
    # body like any other and gets its 400.
    return isinstance(value, str) and bool(value.strip())

