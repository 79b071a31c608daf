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
      c = w_g * (1 + SOONER * u_g)             if eta(s, d) <= needed_by_g (on time)
        = w_g * LATE * (1 - late/(slack+2))    otherwise (late: better than nothing)
        - OTHER_REGION * [region_s != region_g] - EARLY * d / days
      u_g = (days - need day of g) / days, within [0, 1]: the sooner needed, the more a
            unit on time is worth (when not every line can be on time, the urgent ones are
            served, not the ones posted first)
      eta(s, d) = d, plus one delivery day when the site is in another region

    subject to
      sum_{s,d} x[g, s, d] <= q_g                               (each line's quantity left)
      sum_g x[g, s, d] / rate(s, g) <= 1 - load[s, d]           (one machine-day per site-day)

A site's capacity is a machine-day shared across designs: a site offering 100 visors or
20 masks a day can make 50 visors and 10 masks. Lines with the same design, variant,
region, need date and weight are grouped (their columns would be identical), which keeps
the LP small; the group's units go to its lines in the order given.

How it is solved: the LP handed to HiGHS is an equivalent, smaller one. Per (group, site)
it has one column per lateness bucket ``k`` in (0,) + ``LATE_STEPS`` (0 = on time), whose
units must be made by day ``t_k = needed_by - delivery days + k``, and per site a carry
``c[s, d] >= 0`` of unused machine-days from day d to day d + 1::

    sum_{columns of s due on d} y / rate + c[s, d] - c[s, d - 1] <= 1 - load[s, d]

Summed up to any day t this is "work due by t <= machine-days up to t", which is exactly
when earliest-deadline-first can make the work on days (units are divisible in the LP):
:func:`_by_day` then spreads each column's units over the earliest days with room. It has
about a third of the columns of the per-day model and solves about ten times faster (1,500
lines x 15 sites x 21 days: 0.2 to 0.5 s; 1.1 s when no two lines group). The same model is
solved twice (primal simplex, warm-started): on-time columns only at weight 1 (the bound),
then every column at its cost.

The LP's solution is rounded down to whole units (which keeps every constraint), then the
units left are added greedily to the best cells that still have room (largest fractional
part first, then by objective coefficient), never above a rate or a quantity. A small
instance (at most ``MIP_CELLS`` per-day cells) is then solved exactly as a MIP from that
start (``MIP_SECONDS`` at most), so small plans are integer-optimal.

``bound_on_time`` is the optimum of the first solve (on-time columns only, unit weights):
no plan, whole or fractional, delivers more units on time.
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
SOONER = 0.05         # preference for the lines needed sooner (on-time units)
SLACK_DAYS = 7        # days after needed_by a line may still be planned (late)
LATE_STEPS = (1, 2, 3, 5, 7)  # lateness buckets of the LP (days)
DELIVERY_DAYS_OTHER_REGION = 1
EPS = 1e-9
MIP_CELLS = 3000      # up to this many per-day cells, the rounding is improved by a MIP
MIP_SECONDS = 2.0


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
    status: str              # "planned", "empty" (no line), "infeasible" (nothing can be made)
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


def _solve_lp(cost: np.ndarray, bound_cost: np.ndarray, start: np.ndarray, index: np.ndarray,
              value: np.ndarray, row_upper: np.ndarray,
              first: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximise ``cost @ y`` over ``y >= 0`` with ``A y <= row_upper`` (``A`` column-wise).

    Solved twice from one model: first with the columns of the mask ``first`` only, at
    ``bound_cost`` (the bound), then with every column, warm-started from the first basis
    (primal simplex: the first optimum is a feasible start). Returns ``(y, bound)``."""
    highspy = _highspy()
    n = len(cost)
    if n == 0:
        return np.zeros(0), 0.0
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(row_upper)
    lp.col_cost_ = np.where(first, bound_cost, 0.0)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.where(first, inf, 0.0)
    lp.row_lower_ = np.full(lp.num_row_, -inf)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value.astype(float)
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
    y = np.asarray(h.getSolution().col_value, dtype=float)
    return np.maximum(y, 0.0), bound


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
    lines = [line for line in lines if line.quantity > 0]
    demanded = sum(line.quantity for line in lines)
    n_days, n_sites = len(days), len(sites)
    if not lines or not days or not sites:
        plans = [LinePlan(x.reference, x.item, x.quantity, 0, 0, None, []) for x in lines]
        return Plan(plans, demanded, 0, 0, 0.0, 0, "empty" if not lines else "infeasible",
                    time.perf_counter() - started, 0)

    # Groups of identical lines (same columns), in the order of their first line.
    group_of: dict[tuple, int] = {}
    members: list[list[int]] = []
    for i, line in enumerate(lines):
        key = (line.design, line.variant, line.region, line.needed_by, float(line.weight))
        if key not in group_of:
            group_of[key] = len(members)
            members.append([])
        members[group_of[key]].append(i)
    n_groups = len(members)
    quantities = np.array([sum(lines[i].quantity for i in m) for m in members], dtype=np.int64)
    capacities = np.array([site.capacity(d) for site in sites for d in days], dtype=float)
    open_day = capacities.reshape(n_sites, n_days) > EPS
    codes: dict[str, int] = {}
    g_region = np.array([codes.setdefault(lines[m[0]].region, len(codes)) for m in members])
    s_region = np.array([codes.setdefault(site.region, len(codes)) for site in sites])
    g_need = np.array([(lines[m[0]].needed_by - days[0]).days for m in members])
    g_weight = np.array([float(lines[m[0]].weight) for m in members])

    # Pairs (group, site) that can make something: the site offers the line and has an
    # open day up to needed_by + slack.
    rates = np.array([[site.rate(lines[m[0]]) for site in sites] for m in members])
    last_day = np.minimum(g_need + slack_days, n_days - 1)
    first_open = np.where(open_day.any(axis=1), open_day.argmax(axis=1), n_days)
    pair_g, pair_s = np.nonzero((rates > 0) & (first_open[None, :] <= last_day[:, None]))
    pair_delay = (g_region[pair_g] != s_region[pair_s]) * DELIVERY_DAYS_OTHER_REGION

    # Per-day cells (g, s, d): the whole-unit plan is made of them.
    cell_g, cell_s, cell_d = [], [], []
    for g, s_ in zip(pair_g, pair_s):
        d = np.flatnonzero(open_day[s_, :last_day[g] + 1])
        cell_g.append(np.full(d.size, g))
        cell_s.append(np.full(d.size, s_))
        cell_d.append(d)
    col_g = np.concatenate(cell_g or [np.zeros(0, int)]).astype(np.int64)
    col_s = np.concatenate(cell_s or [np.zeros(0, int)]).astype(np.int64)
    col_d = np.concatenate(cell_d or [np.zeros(0, int)]).astype(np.int64)
    cell_index = np.full((n_groups, n_sites, n_days), -1, dtype=np.int64)
    cell_index[col_g, col_s, col_d] = np.arange(col_g.size)
    other = g_region[col_g] != s_region[col_s]
    eta = col_d + other * DELIVERY_DAYS_OTHER_REGION
    on_time = eta <= g_need[col_g]
    g_sooner = 1.0 + SOONER * np.clip(n_days - g_need, 0, n_days) / n_days
    cost = (_value(eta - g_need[col_g], slack_days, g_sooner[col_g]) * g_weight[col_g]
            - OTHER_REGION * other - EARLY * col_d / n_days)
    row_cap = col_s * n_days + col_d
    inv_rate = 1.0 / rates[col_g, col_s] if col_g.size else np.zeros(0)

    # The LP: per pair, one column per lateness bucket (its latest production day), and
    # per site a carry of unused machine-days to the next day (earliest deadline first
    # makes any such solution a day-by-day one).
    buckets = (0,) + tuple(k for k in LATE_STEPS if k <= slack_days)
    agg_g, agg_s, agg_t, agg_k = [], [], [], []
    for k in buckets:
        t = np.minimum(g_need[pair_g] - pair_delay + k, last_day[pair_g])
        keep = t >= first_open[pair_s]
        if k:  # a later bucket only where it reaches a later day than the one before
            before = np.minimum(g_need[pair_g] - pair_delay + _previous(buckets, k),
                                last_day[pair_g])
            keep &= t > before
        agg_g.append(pair_g[keep]), agg_s.append(pair_s[keep])
        agg_t.append(t[keep]), agg_k.append(np.full(int(keep.sum()), k))
    agg_g, agg_s = np.concatenate(agg_g), np.concatenate(agg_s)
    agg_t, agg_k = np.concatenate(agg_t), np.concatenate(agg_k)
    agg_other = g_region[agg_g] != s_region[agg_s]
    agg_cost = (_value(agg_k, slack_days, g_sooner[agg_g]) * g_weight[agg_g]
                - OTHER_REGION * agg_other)
    agg_rate = rates[agg_g, agg_s]
    n_agg = agg_g.size
    carry_s = np.repeat(np.arange(n_sites), n_days - 1)
    carry_t = np.tile(np.arange(n_days - 1), n_sites)
    n_carry = carry_s.size
    n_col = n_agg + n_carry
    start = np.arange(0, 2 * n_col + 1, 2)
    index = np.empty(2 * n_col, dtype=np.int64)
    value = np.empty(2 * n_col)
    index[0:2 * n_agg:2] = agg_g
    value[0:2 * n_agg:2] = 1.0
    index[1:2 * n_agg:2] = n_groups + agg_s * n_days + agg_t
    value[1:2 * n_agg:2] = 1.0 / agg_rate
    index[2 * n_agg::2] = n_groups + carry_s * n_days + carry_t
    value[2 * n_agg::2] = 1.0
    index[2 * n_agg + 1::2] = n_groups + carry_s * n_days + carry_t + 1
    value[2 * n_agg + 1::2] = -1.0
    lp_cost = np.concatenate([agg_cost, np.zeros(n_carry)])
    bound_cost = np.concatenate([(agg_k == 0).astype(float), np.zeros(n_carry)])
    first = np.concatenate([agg_k == 0, np.ones(n_carry, dtype=bool)])
    row_upper = np.concatenate([quantities.astype(float), capacities])
    # The bound: on-time columns only, every unit worth 1; then the plan's objective.
    y, bound = (_solve_lp(lp_cost, bound_cost, start, index, value, row_upper, first)
                if n_agg else (np.zeros(n_col), 0.0))
    bound_units = int(math.floor(bound + 1e-6))

    x = _by_day(y[:n_agg], agg_g, agg_s, agg_t, agg_rate, capacities, cell_index, n_days,
                col_g.size)
    units = _round(x, cost, col_g, row_cap, inv_rate, quantities, capacities)
    if 0 < col_g.size <= MIP_CELLS:  # small: the integer optimum, from the rounded start
        units = _mip(units, cost, col_g, row_cap, inv_rate, quantities, capacities)

    # Each group's units to its lines in order, earliest cells first.
    plans = _to_lines(lines, members, days, sites, units, col_g, col_s, col_d, eta, on_time)
    planned = sum(p.planned for p in plans)
    on_time_units = sum(p.on_time for p in plans)
    weighted = sum(p.on_time * float(line.weight) for p, line in zip(plans, lines))
    status = "planned" if planned else "infeasible"
    return Plan(lines=plans, demanded=demanded, planned=planned, on_time=on_time_units,
                weighted_on_time=weighted, bound_on_time=min(bound_units, demanded),
                status=status, seconds=time.perf_counter() - started, variables=int(n_col))


def _mip(units: np.ndarray, cost: np.ndarray, col_g: np.ndarray, row_cap: np.ndarray,
         inv_rate: np.ndarray, quantities: np.ndarray, capacities: np.ndarray) -> np.ndarray:
    """The per-day model with whole units (a MIP), started from ``units``; ``units``
    unless HiGHS finds a better plan that keeps every constraint within its time limit."""
    highspy = _highspy()
    n, groups = cost.size, quantities.size
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, groups + capacities.size
    lp.col_cost_ = cost.astype(float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = quantities[col_g].astype(float)
    lp.row_lower_ = np.full(lp.num_row_, -inf)
    lp.row_upper_ = np.concatenate([quantities.astype(float), capacities])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, lp.num_row_
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2], index[1::2] = col_g, groups + row_cap
    value = np.empty(2 * n)
    value[0::2], value[1::2] = 1.0, inv_rate
    lp.a_matrix_.index_, lp.a_matrix_.value_ = index, value
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", MIP_SECONDS)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    start = highspy.HighsSolution()
    start.col_value = units.astype(float).tolist()
    start.value_valid = True
    h.setSolution(start)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # no feasible solution found
        return units
    found = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
    found = np.maximum(found, 0)
    per_group = np.bincount(col_g, weights=found, minlength=groups)
    per_day = np.bincount(row_cap, weights=found * inv_rate, minlength=capacities.size)
    if ((per_group > quantities + 1e-9).any() or (per_day > capacities + 1e-9).any()
            or float(cost @ found) < float(cost @ units) - 1e-9):
        return units
    return found


def _value(late: np.ndarray, slack_days: int, sooner: np.ndarray) -> np.ndarray:
    """Value of a unit ``late`` days late (``sooner`` on time)."""
    late = np.asarray(late)
    return np.where(late <= 0, sooner,
                    LATE * (1.0 - np.maximum(late, 0) / (slack_days + 2)))


def _previous(buckets: tuple[int, ...], k: int) -> int:
    return buckets[buckets.index(k) - 1]


def _by_day(y: np.ndarray, agg_g: np.ndarray, agg_s: np.ndarray, agg_t: np.ndarray,
            agg_rate: np.ndarray, capacities: np.ndarray, cell_index: np.ndarray,
            n_days: int, n_cells: int) -> np.ndarray:
    """The LP's units on days: per site, earliest deadline first, each on the earliest
    days with room (the carries guarantee room up to each deadline)."""
    x = np.zeros(n_cells)
    room = capacities.copy()
    for j in np.lexsort((agg_t, agg_s)):
        if y[j] <= 1e-9:
            continue
        s, g, t, rate = int(agg_s[j]), int(agg_g[j]), int(agg_t[j]), float(agg_rate[j])
        need = y[j] / rate
        base = s * n_days
        for d in range(t + 1):
            if need <= 1e-12:
                break
            if room[base + d] <= 1e-12 or cell_index[g, s, d] < 0:
                continue
            take = min(need, room[base + d])
            room[base + d] -= take
            need -= take
            x[cell_index[g, s, d]] += take * rate
    return x


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
