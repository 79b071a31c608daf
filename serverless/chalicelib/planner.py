"""The planner: which site makes how many units of which request line on which day.

A pure function (no DynamoDB, no clock): :func:`plan` takes the lines still to allocate,
the sites with their rates, availability and load, and the production days, and returns
a proposal with an ETA per line and the LP relaxation's bound. The coordinator decides
(``plans.py`` stores the proposal; accepting it creates the allocations).

The model (a linear program, solved with HiGHS through ``highspy``)::

    x[g, s, d] >= 0   units of line group g made by site s on production day d
                      (only sites offering g's design and variant, only days the site is
                      available, only days <= needed_by + slack)

    maximise   sum  c[g, s, d] * x[g, s, d]
      c = w_g * 1                              if eta(s, d) <= needed_by_g (on time)
        = w_g * LATE * (1 - late/(slack+2))    otherwise (late: better than nothing)
        - OTHER_REGION * [region_s != region_g] - EARLY * d / days
      eta(s, d) = d, plus one delivery day when the site is in another region

    subject to
      sum_{s,d} x[g, s, d] <= q_g                               (each line's quantity left)
      sum_g x[g, s, d] / rate(s, g) <= 1 - load[s, d]           (one machine-day per site-day)

A site's capacity is a machine-day shared across designs: a site offering 100 visors or
20 masks a day can make 50 visors and 10 masks. Lines with the same design, variant,
region, need date and weight are grouped (their columns would be identical), which keeps
the LP small; the group's units go to its lines in the order given.

The LP's solution is rounded down to whole units (which keeps every constraint), then the
units left are added greedily to the best cells that still have room (largest fractional
part first, then by objective coefficient), never above a rate or a quantity.

``bound_on_time`` is the optimum of a second LP with the on-time cells only and unit
weights: no integer plan delivers more (unweighted) units on time.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import numpy as np

LATE = 0.1            # value of a late unit relative to an on-time one
OTHER_REGION = 0.01   # preference for the requester's region (a tie-break, per unit)
EARLY = 0.001         # preference for earlier days (a tie-break, per unit)
SLACK_DAYS = 7        # days after needed_by a line may still be planned (late)
DELIVERY_DAYS_OTHER_REGION = 1
EPS = 1e-9


class PlannerUnavailable(RuntimeError):
    """``highspy`` is not installed here (the Lambda package does not carry it)."""


@dataclass(frozen=True)
class Line:
    """One request line still to allocate."""

    reference: str
    item: int
    design: str
    variant: str | None
    region: str
    quantity: int          # left to allocate
    needed_by: date
    weight: float = 1.0    # urgency


@dataclass(frozen=True)
class Site:
    """A site: rates per (design, variant or None = any), availability, load."""

    id: str
    region: str
    rates: dict[tuple[str, str | None], float]
    available_from: date | None = None
    available_until: date | None = None
    load: dict[date, float] = field(default_factory=dict)  # machine-day fraction used

    def rate(self, line: Line) -> float:
        best = 0.0
        for (design, variant), rate in self.rates.items():
            if design == line.design and (not variant or not line.variant
                                          or variant == line.variant):
                best = max(best, float(rate))
        return best

    def capacity(self, day: date) -> float:
        if self.available_from and day < self.available_from:
            return 0.0
        if self.available_until and day > self.available_until:
            return 0.0
        return max(0.0, 1.0 - float(self.load.get(day, 0.0)))


@dataclass(frozen=True)
class Cell:
    """Units of a line made by a site on a day, delivered on ``eta``."""

    reference: str
    item: int
    site: str
    day: date
    quantity: int
    eta: date
    on_time: bool


@dataclass
class LinePlan:
    reference: str
    item: int
    requested: int           # left to allocate when planned
    planned: int
    on_time: int
    eta: date | None         # when the last planned unit arrives
    cells: list[Cell]


@dataclass
class Plan:
    lines: list[LinePlan]
    demanded: int
    planned: int
    on_time: int             # units planned to arrive by their need date
    weighted_on_time: float
    bound_on_time: int       # LP relaxation: no plan delivers more units on time
    status: str              # "optimal", "empty", "infeasible" (nothing can be made)
    seconds: float
    variables: int

    @property
    def on_time_fraction(self) -> float:
        return self.on_time / self.demanded if self.demanded else 1.0

    @property
    def bound_fraction(self) -> float:
        return self.bound_on_time / self.demanded if self.demanded else 1.0


def _highspy():
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - the Lambda package
        raise PlannerUnavailable(str(exc)) from None
    return highspy


def _solve_lp(cost: np.ndarray, group: np.ndarray, row_cap: np.ndarray, inv_rate: np.ndarray,
              quantities: np.ndarray, capacities: np.ndarray,
              first: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximise cost @ x, 0 <= x, per-group sums <= quantities, per-site-day machine
    fractions <= capacities (columns have two entries: their group and their site-day).

    Solved twice from one model: first with the columns ``first`` only, each worth 1
    (the bound), then with every column at its cost, warm-started from the first basis
    (primal simplex: the first optimum is a feasible start). Returns ``(x, bound)``."""
    highspy = _highspy()
    n, groups = len(cost), len(quantities)
    if n == 0:
        return np.zeros(0), 0.0
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = groups + len(capacities)
    only_first = np.zeros(n, dtype=bool)
    only_first[first] = True
    lp.col_cost_ = only_first.astype(float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.where(only_first, inf, 0.0)
    lp.row_lower_ = np.full(lp.num_row_, -inf)
    lp.row_upper_ = np.concatenate([quantities.astype(float), capacities])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = group
    index[1::2] = groups + row_cap
    value = np.empty(2 * n)
    value[0::2] = 1.0
    value[1::2] = inv_rate
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 4)  # primal: the warm start stays feasible
    h.passModel(lp)
    bound = _run(h, highspy)
    everything = np.arange(n, dtype=np.int32)
    h.changeColsCost(n, everything, np.asarray(cost, dtype=float))
    h.changeColsBounds(n, everything, np.zeros(n), np.full(n, inf))
    _run(h, highspy)
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return np.maximum(x, 0.0), bound


def _run(h, highspy) -> float:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
    return float(h.getInfo().objective_function_value)


def plan(lines: Sequence[Line], sites: Sequence[Site], days: Sequence[date], *,
         slack_days: int = SLACK_DAYS) -> Plan:
    """The proposal for ``lines`` on ``sites`` over the production ``days`` (in order,
    consecutive). Lines without quantity are ignored; a line no site can make gets an
    empty plan (``eta`` None)."""
    started = time.perf_counter()
    days = list(days)
    day_index = {d: i for i, d in enumerate(days)}
    lines = [line for line in lines if line.quantity > 0]
    demanded = sum(line.quantity for line in lines)
    n_days, n_sites = len(days), len(sites)

    # Groups of identical lines (same columns), in the order of their first line.
    group_of: dict[tuple, int] = {}
    members: list[list[int]] = []
    for i, line in enumerate(lines):
        key = (line.design, line.variant, line.region, line.needed_by, float(line.weight))
        if key not in group_of:
            group_of[key] = len(members)
            members.append([])
        members[group_of[key]].append(i)
    quantities = np.array([sum(lines[i].quantity for i in m) for m in members], dtype=np.int64)
    capacities = np.array([site.capacity(d) for site in sites for d in days], dtype=float)

    # Columns: (group, site, day) with a rate, capacity, and day <= needed_by + slack.
    cols_g, cols_s, cols_d, cols_rate = [], [], [], []
    day_numbers = np.arange(n_days)
    for g, m in enumerate(members):
        line = lines[m[0]]
        last = (line.needed_by - days[0]).days + slack_days if days else -1
        upto = day_numbers[:max(0, min(n_days, last + 1))]
        if upto.size == 0:
            continue
        for s, site in enumerate(sites):
            rate = site.rate(line)
            if rate <= 0:
                continue
            open_days = upto[capacities[s * n_days + upto] > EPS]
            cols_g.append(np.full(open_days.size, g))
            cols_s.append(np.full(open_days.size, s))
            cols_d.append(open_days)
            cols_rate.append(np.full(open_days.size, rate))
    if cols_g:
        col_g = np.concatenate(cols_g).astype(np.int32)
        col_s = np.concatenate(cols_s).astype(np.int32)
        col_d = np.concatenate(cols_d).astype(np.int32)
        rate = np.concatenate(cols_rate)
    else:
        col_g = col_s = col_d = np.zeros(0, dtype=np.int32)
        rate = np.zeros(0)

    g_need = np.array([(lines[m[0]].needed_by - days[0]).days if days else 0
                       for m in members], dtype=np.int64)
    g_weight = np.array([float(lines[m[0]].weight) for m in members])
    codes: dict[str, int] = {}
    g_region = np.array([codes.setdefault(lines[m[0]].region, len(codes)) for m in members]
                        + [0], dtype=np.int64)[:len(members)]
    s_region = np.array([codes.setdefault(site.region, len(codes)) for site in sites] + [0],
                        dtype=np.int64)[:n_sites]
    other = s_region[col_s] != g_region[col_g]
    eta = col_d + other * DELIVERY_DAYS_OTHER_REGION
    late = eta - g_need[col_g]
    on_time = late <= 0
    value = np.where(on_time, 1.0,
                     LATE * (1.0 - np.maximum(late, 0) / (slack_days + 2))) * g_weight[col_g]
    cost = value - OTHER_REGION * other - EARLY * col_d / max(1, n_days)
    row_cap = col_s * n_days + col_d
    inv_rate = 1.0 / np.where(rate > 0, rate, 1.0)

    # The bound: on-time cells only, every unit worth 1.
    x, bound = _solve_lp(cost, col_g, row_cap, inv_rate, quantities, capacities,
                         np.flatnonzero(on_time))
    bound_units = int(math.floor(bound + 1e-6))
    units = _round(x, cost, col_g, row_cap, inv_rate, quantities, capacities)

    # Each group's units to its lines in order, earliest cells first.
    plans = _to_lines(lines, members, days, sites, units, col_g, col_s, col_d, eta, on_time)
    planned = sum(p.planned for p in plans)
    on_time_units = sum(p.on_time for p in plans)
    weighted = sum(p.on_time * float(line.weight) for p, line in zip(plans, lines))
    status = "empty" if not lines else ("optimal" if planned or not demanded else "infeasible")
    return Plan(lines=plans, demanded=demanded, planned=planned, on_time=on_time_units,
                weighted_on_time=weighted, bound_on_time=min(bound_units, demanded),
                status=status, seconds=time.perf_counter() - started, variables=int(cost.size))


def _round(x: np.ndarray, cost: np.ndarray, col_g: np.ndarray, row_cap: np.ndarray,
           inv_rate: np.ndarray, quantities: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    """Whole units keeping every constraint: floor, then one unit at a time to the cells
    with the largest fractional part, then to the best cells with room left."""
    units = np.floor(x + 1e-7).astype(np.int64)
    left_g = quantities - np.bincount(col_g, weights=units, minlength=len(quantities)).astype(
        np.int64) if units.size else quantities.copy()
    room = capacities - (np.bincount(row_cap, weights=units * inv_rate,
                                     minlength=len(capacities)) if units.size else 0.0)
    # A float rounding may leave a site-day a hair over: take units back until it fits.
    for r in np.flatnonzero(room < -EPS):
        for j in np.flatnonzero((row_cap == r) & (units > 0)):
            while room[r] < -EPS and units[j] > 0:
                units[j] -= 1
                left_g[col_g[j]] += 1
                room[r] += inv_rate[j]
    frac = x - units
    candidates = np.flatnonzero(frac > 1e-6)
    order = candidates[np.lexsort((-cost[candidates], -frac[candidates]))]
    for j in order:
        g, r = col_g[j], row_cap[j]
        if left_g[g] > 0 and room[r] + EPS >= inv_rate[j]:
            units[j] += 1
            left_g[g] -= 1
            room[r] -= inv_rate[j]
    # Greedy fill: the best cells first, as many units as fit.
    if (left_g > 0).any():
        wanting = np.flatnonzero((left_g[col_g] > 0) & (cost > 0))
        for j in wanting[np.argsort(-cost[wanting], kind="stable")]:
            g, r = col_g[j], row_cap[j]
            if left_g[g] <= 0:
                continue
            fit = int(math.floor((room[r] + EPS) / inv_rate[j]))
            add = min(fit, int(left_g[g]))
            if add > 0:
                units[j] += add
                left_g[g] -= add
                room[r] -= add * inv_rate[j]
    return units


def _to_lines(lines: list[Line], members: list[list[int]], days: list[date],
              sites: Sequence[Site], units: np.ndarray, col_g: np.ndarray, col_s: np.ndarray,
              col_d: np.ndarray, eta: np.ndarray, on_time: np.ndarray) -> list[LinePlan]:
    by_group: dict[int, list[int]] = defaultdict(list)
    for j in np.flatnonzero(units > 0):
        by_group[int(col_g[j])].append(int(j))
    out: list[LinePlan | None] = [None] * len(lines)
    for g, m in enumerate(members):
        cells = sorted(by_group.get(g, []), key=lambda j: (int(eta[j]), int(col_d[j]),
                                                           int(col_s[j])))
        pool = [[j, int(units[j])] for j in cells]
        k = 0
        for i in m:
            line = lines[i]
            need = line.quantity
            got: list[Cell] = []
            while need > 0 and k < len(pool):
                j, avail = pool[k]
                take = min(need, avail)
                first = days[0]
                got.append(Cell(line.reference, line.item, sites[int(col_s[j])].id,
                                days[int(col_d[j])], take,
                                date.fromordinal(first.toordinal() + int(eta[j])),
                                bool(on_time[j])))
                need -= take
                pool[k][1] -= take
                if pool[k][1] == 0:
                    k += 1
            planned = sum(c.quantity for c in got)
            out[i] = LinePlan(line.reference, line.item, line.quantity, planned,
                              sum(c.quantity for c in got if c.on_time),
                              max((c.eta for c in got), default=None), got)
    return [p for p in out if p is not None]
