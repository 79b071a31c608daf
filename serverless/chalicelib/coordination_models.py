"""Bodies of the coordination routes (coordinators, sites, requesters acting on allocations)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .fields import IsoDate, Model, WholeNumber
from .plans import HORIZON_DAYS, MAX_ACCEPT_LINES, MAX_HORIZON_DAYS

MAX_QUANTITY = 1_000_000  # as a request line (fields.py)

Reason = Literal["no_material", "machine_down", "no_answer", "not_needed", "other"]
CloseReason = Literal["delivered_elsewhere", "not_needed", "duplicate", "no_answer", "other"]
Count = WholeNumber(0, MAX_QUANTITY)
Quantity = WholeNumber(1, MAX_QUANTITY)


class NewAllocation(Model):
    """``POST /coordination/allocations``: a quantity of one request line to one site."""

    reference: str = Field(max_length=20, description="The request's reference, R-XXXXXXXX.")
    item: WholeNumber(0, 99) = Field(description="Index of the request's line, from 0.")
    site: str = Field(max_length=20, description="The site's (maker's) id, M-XXXXXXXX.")
    quantity: Quantity = Field(description="Units given to the site; at most what is left.")
    day: IsoDate | None = Field(default=None, description="Planned production day "
                                "(YYYY-MM-DD); default: the request's need date.")
    part: str | None = Field(default=None, max_length=80, description="For a kit's line: "
                             "the part (a design of the kit) this site makes; without it, "
                             "the site assembles the kit.")


class AllocationAction(Model):
    """A site (accept, decline, produced, shipped) or a coordinator (cancel) moving an
    allocation on. ``count`` is the total so far; ``reason`` is for decline and cancel."""

    action: Literal["accept", "decline", "produced", "shipped", "cancel"]
    count: Count | None = Field(default=None, description="Units produced or shipped so far.")
    reason: Reason | None = None


class Receipt(Model):
    """``POST /requests/{reference}/receipts``: the requester confirms what arrived."""

    allocation: str = Field(max_length=30, description="The allocation's id.")
    received: Quantity = Field(description="Units received from this allocation so far.")


class Reconfirmation(Model):
    """``POST /requests/{reference}/reconfirm``: the need still stands, or not any more."""

    still_needed: bool


class Closing(Model):
    """``POST /coordination/requests/{reference}/close``."""

    reason: CloseReason


class Merge(Model):
    """``POST /coordination/requests/{reference}/merge``: this request repeats ``into``."""

    into: str = Field(max_length=20, description="The reference of the request kept.")


class PlanOrder(Model):
    """``POST /coordination/plans``: which regions, how many days ahead."""

    region: str | None = Field(default=None, max_length=100, description="One of the "
                               "hub's regions; default: every region in scope.")
    days: WholeNumber(1, MAX_HORIZON_DAYS) = Field(  # type: ignore[valid-type]
        default=HORIZON_DAYS, description="Production days planned, from tomorrow.")


class PlanLineRef(Model):
    reference: str = Field(max_length=20)
    item: WholeNumber(0, 99)  # type: ignore[valid-type]


class PlanAcceptance(Model):
    """``POST /coordination/plans/{id}/accept``: the lines to allocate (default: all)."""

    lines: list[PlanLineRef] | None = Field(default=None, max_length=MAX_ACCEPT_LINES,
                                            description="Lines chosen; absent: every "
                                            "planned line not yet accepted.")


def parse(model: type[Model], data: Any) -> Model:
    return model.model_validate(data)
