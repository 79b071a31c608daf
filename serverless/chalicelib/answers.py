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
    allocated: int = Field(description="Units given to sites (active allocations).")
    produced: int
    shipped: int
    delivered: int = Field(description="Units the requester confirmed as received.")


AllocationStatusName = Literal["proposed", "accepted", "declined", "produced", "shipped",
                               "delivered", "cancelled"]


class AllocationView(Answer):
    """An allocation: a quantity of one request line given to one site. No contact."""

    id: str
    reference: str
    item: int = Field(description="Index of the request's line.")
    design: str
    variant: str | None = None
    part: str | None = Field(default=None, description="A kit's part this site makes "
                             "(shipped to the assembling site); none: the whole line.")
    site: str | None = Field(default=None, description="The site's id (not shown to the "
                             "requester, who sees its region).")
    site_region: str | None = None
    quantity: int
    status: AllocationStatusName
    produced: int
    shipped: int
    delivered: int
    day: str = Field(description="Planned production day (YYYY-MM-DD).")
    reason: str | None = Field(default=None, description="Why it was declined or cancelled.")
    created_at: str
    updated_at: str


class RequestProgress(Answer):
    """200 answer to ``GET /requests/{reference}``: no contact, address or note."""

    reference: str
    status: RequestStatusName
    needed_by: str
    created_at: str
    region: str
    items: list[ItemProgress]
    allocations: list[AllocationView] = Field(default_factory=list)


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


class Contact(Answer):
    """A requester's contact and delivery address: revealed to whoever must act on it,
    each reveal written to the audit log."""

    contact: dict[str, str | None]
    address: str | None = None
    notes: str | None = None


class SiteAllocation(AllocationView):
    delivery: Contact | None = Field(default=None, description="Once the site accepted, "
                                     "until delivery: where and to whom to deliver.")


class SiteAllocations(Answer):
    allocations: list[SiteAllocation]


class PartQuantities(Answer):
    per_kit: int
    allocated: int
    produced: int
    shipped: int


class LineQuantities(Answer):
    design: str
    variant: str | None = None
    requested: int
    allocated: int
    produced: int
    shipped: int
    delivered: int
    parts: dict[str, PartQuantities] | None = Field(default=None, description="A kit's "
                                                    "parts, each made by its own sites.")


class OpenRequest(Answer):
    """A request as coordinators list it: no personal data."""

    reference: str
    status: RequestStatusName
    region: str
    needed_by: str
    created_at: str
    organization_type: str | None = None
    items: list[LineQuantities]
    overdue: bool = Field(description="Past its need date with nothing delivered.")
    reconfirm_asked_at: str | None = None


class OpenRequests(Answer):
    requests: list[OpenRequest]
    cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at "
                               "the end.")


class RequestDetail(OpenRequest):
    allocations: list[AllocationView]
    possible_repeats: list[str] = Field(description="Open requests of the same "
                                        "organization for the same design: merge them?")


class SiteOffer(Answer):
    design: str
    variant: str | None = None
    units_per_day: int


class SiteCapacity(Answer):
    """A site as coordinators list it: capacity as a rate, load per day; no contact."""

    id: str
    region: str
    kind: str | None = None
    machines: dict[str, int] = Field(description="Machines per technology.")
    materials: list[str]
    offers: list[SiteOffer]
    availability: dict[str, str | None]
    load_per_day: dict[str, int] = Field(description="Units still to produce per planned day.")


class SiteList(Answer):
    sites: list[SiteCapacity]


class SiteContact(Answer):
    name: str | None = None
    contact: dict[str, str | None]


class ClosedRequest(Answer):
    reference: str
    status: Literal["closed"]
    merged_into: str | None = None


class Reconfirmed(Answer):
    """200 answer to ``POST /requests/{reference}/reconfirm``."""

    reference: str
    status: RequestStatusName = Field(description="closed when no longer needed.")
    reconfirmed_at: str | None = Field(default=None, description="When the need was "
                                       "reconfirmed (still needed).")


class AuditEntry(Answer):
    """Who did what, when, to which records (ids only: no contact, no free text)."""

    at: str
    actor: str = Field(description="coordinator:<id>, site:<id>, requester:<ref>, cli, system")
    action: str
    records: list[str]
    detail: dict[str, int | str | bool | None | list[str]]


class AuditPage(Answer):
    day: str
    entries: list[AuditEntry]
    cursor: str | None


class FeedRow(Answer):
    day: str = Field(description="YYYY-MM-DD (UTC).")
    region: str
    design: str
    requested: int = Field(description="Units asked for by the requests created that day.")
    delivered: int = Field(description="Units confirmed as received that day.")
    capacity_units_per_day: int = Field(
        description="Units per day offered by the makers counted now whose availability "
        "window ends on or after that day (exact for today, a lower bound before: "
        "withdrawn makers and ended windows no longer count).")


class Feed(Answer):
    """200 answer to ``GET /feed.json`` (open data, also ``GET /feed.csv``): by day,
    region and design; no personal field."""

    generated_at: str
    since: str = Field(description="First day of the window (YYYY-MM-DD).")
    until: str = Field(description="Last day of the window: today (UTC).")
    rows: list[FeedRow]


# ------------------------------------------------------------------ plans (chalicelib/plans.py)


class PlanCell(Answer):
    """Units of a line proposed to one site for one production day."""

    site: str
    site_region: str | None = None
    day: str = Field(description="Production day (YYYY-MM-DD).")
    quantity: int
    eta: str = Field(description="Arrival: the production day, one more from another region.")
    on_time: bool


class PlanLine(Answer):
    reference: str
    item: int
    design: str
    variant: str | None = None
    region: str
    needed_by: str
    requested: int
    planned: int = Field(description="Units proposed (at most what is left to allocate).")
    on_time: int = Field(description="Units proposed to arrive by the need date.")
    eta: str | None = Field(default=None, description="When the last unit proposed arrives.")
    allocations: list[PlanCell]


class PlanView(Answer):
    """201 answer to ``POST /coordination/plans``: the proposal, stored until valid_until."""

    id: str
    regions: list[str]
    first_day: str
    last_day: str
    created_at: str
    valid_until: str
    demanded: int = Field(description="Units left to allocate on the lines planned.")
    planned: int
    on_time: int
    bound_on_time: int = Field(description="LP relaxation: no plan gets more units on time.")
    on_time_fraction: float
    bound_fraction: float
    status: Literal["planned", "empty", "infeasible"] = Field(
        description="empty: no line to plan; infeasible: no unit of any line can be made.")
    seconds: float
    variables: int
    lines: list[PlanLine]


class PlanLineResult(Answer):
    reference: str
    item: int
    status: Literal["accepted", "already_accepted", "partial", "refused"]
    code: int = Field(description="201 accepted, 200 already accepted, else the error's "
                      "status (409: the records changed since the plan).")
    error: str | None = Field(default=None, description="plan_outdated, over_allocated, "
                              "site_unavailable, not_open, not_planned, forbidden.")
    allocations: list[str] = Field(description="Allocations created by this call.")


class PlanAccepted(Answer):
    """200 answer to ``POST /coordination/plans/{id}/accept``: one result per line."""

    id: str
    lines: list[PlanLineResult]
    remaining: int = Field(description="Lines left for the next call (same body).")
