"""Pydantic models of the API's answers: they document the contract (OpenAPI) and the
handlers build every success body through them, so the document cannot drift."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .maker_models import MakerSignup

RequestStatusName = Literal["submitted", "matched", "in_progress", "delivered", "closed",
                            "expired"]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestCreated(Answer):
    """201 answer to ``POST /requests``."""

    reference: str = Field(description="Reference to quote when asking about the request.")
    status: Literal["submitted"] = "submitted"
    tracking_token: str = Field(
        description="Secret: with the reference, shows the request's progress "
        "(GET /requests/{reference}, header Authorization: Bearer <token>). Shown once."
    )


class ItemProgress(Answer):
    design: str
    variant: str | None = None
    requested: int
    allocated: int
    delivered: int


class RequestProgress(Answer):
    """200 answer to ``GET /requests/{reference}``: no contact, address or note."""

    reference: str
    status: RequestStatusName
    needed_by: str
    created_at: str
    region: str
    items: list[ItemProgress]


class MakerCreated(Answer):
    """201 answer to ``POST /makers``."""

    id: str = Field(description="The sign-up's id.")
    status: Literal["active"] = "active"
    edit_token: str = Field(
        description="Secret: with the id, reads, updates or withdraws the sign-up "
        "(header Authorization: Bearer <token>). Shown once."
    )


class MakerRecord(MakerSignup):
    """200 answer to ``GET``/``PUT /makers/{id}``: the sign-up as stored (the maker's own)."""

    id: str
    status: Literal["active"]
    created_at: str
    updated_at: str


class MakerWithdrawn(Answer):
    id: str
    status: Literal["withdrawn"] = "withdrawn"


class DesignInfo(Answer):
    slug: str
    technology: str | None = None
    status: str | None = None
    version: str | None = None
    variants: list[str]


class DesignList(Answer):
    designs: list[DesignInfo]


class RequestAggregate(Answer):
    design: str
    region: str
    open_requests: int
    quantity_open: int
    quantity_delivered: int


class CapacityAggregate(Answer):
    design: str
    region: str
    makers: int
    units_per_day: int


class DeliveredTotal(Answer):
    design: str
    quantity: int


class MakerCounts(Answer):
    active: int
    withdrawn: int


class Stats(Answer):
    """200 answer to ``GET /stats``: aggregates only, no name, contact or address."""

    generated_at: str
    requests: list[RequestAggregate]
    capacity: list[CapacityAggregate]
    delivered: list[DeliveredTotal]
    makers: MakerCounts


class ErrorBody(Answer):
    """Body of every error answer."""

    error: str = Field(description="Machine-readable code, e.g. invalid_request.")
    message: str = Field(description="Plain words, in the Accept-Language language.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Dotted path of each bad field (items.0.quantity) -> what is wrong.",
    )
    codes: dict[str, str] = Field(
        default_factory=dict,
        description="Same paths -> machine-readable reason (missing, string_too_long, "
        "greater_than_equal, region, design, date_past, consent...), for translated forms.",
    )
