"""The planner (chalicelib/planner.py) on small cases with a known optimum, its invariants
on random ones, and the plan routes (chalicelib/plans.py) on moto: auth, idempotent
acceptance, a line changed since the plan refused line by line."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_helpers import body_of, send
from coordination_helpers import act, hub_regions, issue, new_request, new_site

from chalicelib import planner
from chalicelib.planner import Line, Site

DAY0 = date(2030, 3, 2)


def days(n):
    return [DAY0 + timedelta(days=i) for i in range(n)]


def line(ref, quantity, need, design="visor", region="A", weight=1.0, item=0):
    return Line(ref, item, design, None, region, quantity, DAY0 + timedelta(days=need), weight)


def site(sid, rate, region="A", design="visor", load=None, start=None, until=None):
    return Site(sid, region, {(design, None): rate}, start, until,
                {DAY0 + timedelta(days=d): f for d, f in (load or {}).items()})


# ------------------------------------------------------------------ the documented model


def cell_value(ln, st_, d, n_days, slack=planner.SLACK_DAYS):
    """The objective coefficient of one unit of ``ln`` made by ``st_`` on day index ``d``
    (the model of planner.py's docstring, written again here)."""
    other = st_.region != ln.region
    eta = d + (planner.DELIVERY_DAYS_OTHER_REGION if other else 0)
    need = (ln.needed_by - DAY0).days
    late = eta - need
    sooner = 1 + planner.SOONER * min(max(n_days - need, 0), n_days) / n_days
    value = sooner if late <= 0 else planner.LATE * (1 - late / (slack + 2))
    return value * ln.weight - planner.OTHER_REGION * other - planner.EARLY * d / n_days


def plan_value(result, lines, sites, n_days):
    by_ref = {(ln.reference, ln.item): ln for ln in lines}
    by_id = {s.id: s for s in sites}
    return sum(c.quantity * cell_value(by_ref[(c.reference, c.item)], by_id[c.site],
                                       (c.day - DAY0).days, n_days)
               for lp in result.lines for c in lp.cells)


def check_feasible(result, lines, sites, horizon):
    """Never above a site's rate on a day (with its load), a line's quantity, outside the
    availability window or the horizon, or on a site not offering the line."""
    by_ref = {(ln.reference, ln.item): ln for ln in lines}
    by_id = {s.id: s for s in sites}
    used = {}
    for lp in result.lines:
        ln = by_ref[(lp.reference, lp.item)]
        assert sum(c.quantity for c in lp.cells) == lp.planned <= ln.quantity
        assert lp.on_time == sum(c.quantity for c in lp.cells if c.on_time)
        for c in lp.cells:
            s = by_id[c.site]
            assert c.quantity > 0 and c.day in horizon
            assert s.rate(ln) > 0 and s.capacity(c.day) > 0
            assert c.on_time == (c.eta <= ln.needed_by)
            assert c.eta == c.day + timedelta(days=int(s.region != ln.region))
            used[(c.site, c.day)] = used.get((c.site, c.day), 0) + c.quantity / s.rate(ln)
        if lp.cells:
            assert lp.eta == max(c.eta for c in lp.cells)
    for (sid, day), fraction in used.items():
        assert fraction <= by_id[sid].capacity(day) + 1e-7, (sid, day, fraction)
    assert result.on_time <= result.bound_on_time <= result.demanded


def brute_force(lines, sites, n_days):
    """The best objective over every whole-unit plan (small cases only)."""
    cells = [(i, s, d) for i, ln in enumerate(lines) for s, st_ in enumerate(sites)
             for d in range(n_days) if st_.rate(ln) > 0 and st_.capacity(DAY0 + timedelta(d)) > 0]
    best = [0.0, 0]

    def go(k, left, room, value, on_time):
        if k == len(cells):
            if value > best[0] + 1e-12:
                best[0] = value
            best[1] = max(best[1], on_time)
            return
        i, s, d = cells[k]
        ln, st_ = lines[i], sites[s]
        per = 1 / st_.rate(ln)
        most = left[i]
        while most > 0 and room[(s, d)] + 1e-9 < most * per:
            most -= 1
        on = d + (st_.region != ln.region) <= (ln.needed_by - DAY0).days
        for q in range(most + 1):
            left[i] -= q
            room[(s, d)] -= q * per
            go(k + 1, left, room, value + q * cell_value(ln, st_, d, n_days),
               on_time + q * on)
            left[i] += q
            room[(s, d)] += q * per

    room = {(s, d): st_.capacity(DAY0 + timedelta(d)) for s, st_ in enumerate(sites)
            for d in range(n_days)}
    go(0, [ln.quantity for ln in lines], room, 0.0, 0)
    return best[0], best[1]  # best objective; most units on time (any plan)


# ------------------------------------------------------------------ known optima


def test_urgent_request_posted_last_gets_the_first_days():
    # 10 a day for 3 days: the early request (30, due day 2) would take every day first
    # come first served; the urgent one (10, due day 0) posted after it gets day 0.
    early, urgent = line("R-EARLY", 30, 2), line("R-URGENT", 10, 0)
    result = planner.plan([early, urgent], [site("M-1", 10)], days(3))
    by_ref = {lp.reference: lp for lp in result.lines}
    assert by_ref["R-URGENT"].on_time == 10 and by_ref["R-URGENT"].eta == DAY0
    assert by_ref["R-EARLY"].on_time == 20  # closed form: 30 capacity, 10 to the urgent
    assert result.on_time == result.bound_on_time == 30
    check_feasible(result, [early, urgent], [site("M-1", 10)], days(3))


def test_weight_decides_who_waits_when_both_cannot_be_on_time():
    # One machine-day: 10 units. Two lines of 10 due day 0: the heavier one is served.
    light, heavy = line("R-LIGHT", 10, 0), line("R-HEAVY", 10, 0, weight=2.0)
    result = planner.plan([light, heavy], [site("M-1", 10)], days(1))
    by_ref = {lp.reference: lp for lp in result.lines}
    assert by_ref["R-HEAVY"].on_time == 10 and by_ref["R-LIGHT"].planned == 0


def test_another_region_costs_a_delivery_day():
    # Due day 0: only the site of the requester's region can be on time.
    ln = line("R-1", 5, 0, region="A")
    here, there = site("M-HERE", 5, region="A"), site("M-THERE", 50, region="B")
    result = planner.plan([ln], [there, here], days(2))
    (lp,) = result.lines
    assert [(c.site, c.quantity, c.on_time) for c in lp.cells] == [("M-HERE", 5, True)]
    # Due day 1 and both could: the requester's region is preferred.
    result = planner.plan([line("R-1", 5, 1)], [there, here], days(2))
    assert {c.site for c in result.lines[0].cells} == {"M-HERE"}


def test_capacity_is_a_machine_day_shared_across_designs():
    # 100 visors or 20 masks a day: 50 visors take half the day, leaving 10 masks.
    two = Site("M-1", "A", {("visor", None): 100, ("mask", None): 20})
    lines = [line("R-V", 50, 0), line("R-M", 20, 0, design="mask")]
    result = planner.plan(lines, [two], days(1))
    assert result.on_time == result.bound_on_time
    assert result.on_time in (60, 70)  # 50 + 10, or 70 with fewer visors: same machine-day
    check_feasible(result, lines, [two], days(1))


def test_existing_load_and_availability_are_respected():
    ln = line("R-1", 30, 2)
    busy = site("M-1", 10, load={0: 1.0, 1: 0.5}, until=DAY0 + timedelta(days=1))
    result = planner.plan([ln], [busy], days(3))
    (lp,) = result.lines
    assert [(c.day, c.quantity) for c in lp.cells] == [(DAY0 + timedelta(days=1), 5)]
    assert result.bound_on_time == 5
    check_feasible(result, [ln], [busy], days(3))


@pytest.mark.parametrize("seed", range(12))
def test_small_cases_match_brute_force(seed):
    rnd = random.Random(seed)
    n_days = 3
    lines = [Line(f"R-{i}", 0, rnd.choice(["visor", "mask"]), None, rnd.choice("AB"),
                  rnd.randint(1, 3), DAY0 + timedelta(days=rnd.randint(0, 2)),
                  rnd.choice([1.0, 2.0])) for i in range(rnd.randint(1, 3))]
    sites = [Site(f"M-{s}", rnd.choice("AB"),
                  {("visor", None): rnd.randint(1, 2), ("mask", None): rnd.randint(1, 3)},
                  None, None, {DAY0 + timedelta(days=rnd.randint(0, 2)): 0.5})
             for s in range(2)]
    result = planner.plan(lines, sites, days(n_days))
    check_feasible(result, lines, sites, days(n_days))
    best, most_on_time = brute_force(lines, sites, n_days)
    assert plan_value(result, lines, sites, n_days) == pytest.approx(best, abs=1e-6)
    assert result.bound_on_time >= most_on_time  # an upper bound of every whole plan


def test_brute_force_knows_the_one_line_closed_form():
    # One line, one site, same region: min(quantity, rate x days left) on time.
    for quantity, rate, need in itertools.product((1, 4, 9), (1, 2, 3), (0, 1, 2)):
        ln, st_ = line("R-1", quantity, need), site("M-1", rate)
        result = planner.plan([ln], [st_], days(3))
        assert result.on_time == result.bound_on_time == min(quantity, rate * (need + 1))


# ------------------------------------------------------------------ empty, infeasible


def test_empty_and_infeasible_inputs():
    empty = planner.plan([], [site("M-1", 10)], days(3))
    assert (empty.status, empty.lines, empty.demanded, empty.bound_on_time) == (
        "empty", [], 0, 0)
    no_site = planner.plan([line("R-1", 5, 1)], [], days(3))
    assert no_site.status == "infeasible" and no_site.lines[0].eta is None
    other_design = planner.plan([line("R-1", 5, 1, design="mask")], [site("M-1", 10)], days(3))
    assert other_design.status == "infeasible" and other_design.planned == 0
    assert other_design.bound_on_time == 0
    full = planner.plan([line("R-1", 5, 1)], [site("M-1", 10, load={0: 1, 1: 1, 2: 1})],
                        days(3))
    assert full.planned == 0 and full.lines[0].cells == []
    no_days = planner.plan([line("R-1", 5, 1)], [site("M-1", 10)], [])
    assert no_days.planned == 0
    zero = planner.plan([line("R-1", 0, 1)], [site("M-1", 10)], days(3))
    assert zero.status == "empty"


# ------------------------------------------------------------------ invariants


@st.composite
def instances(draw):
    n_days = draw(st.integers(1, 6))
    designs = ["visor", "mask", "clip"]
    lines = [Line(f"R-{i}", draw(st.integers(0, 2)), draw(st.sampled_from(designs)),
                  draw(st.sampled_from([None, "m"])), draw(st.sampled_from("ABC")),
                  draw(st.integers(0, 40)), DAY0 + timedelta(days=draw(st.integers(-2, 9))),
                  draw(st.sampled_from([1.0, 1.5, 2.0])))
             for i in range(draw(st.integers(0, 8)))]
    sites = []
    for s in range(draw(st.integers(0, 4))):
        rates = {(d, draw(st.sampled_from([None, "m", "l"]))): draw(st.integers(1, 30))
                 for d in draw(st.lists(st.sampled_from(designs), max_size=3, unique=True))}
        start = DAY0 + timedelta(days=draw(st.integers(-1, 3)))
        until = draw(st.one_of(st.none(), st.integers(0, 6).map(
            lambda k: DAY0 + timedelta(days=k))))
        load = {DAY0 + timedelta(days=d): draw(st.floats(0, 1.2))
                for d in draw(st.lists(st.integers(0, 5), max_size=3))}
        sites.append(Site(f"M-{s}", draw(st.sampled_from("ABC")), rates, start, until, load))
    return lines, sites, days(n_days)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_plans_never_break_a_rate_or_a_quantity(instance):
    lines, sites, horizon = instance
    result = planner.plan(lines, sites, horizon)
    check_feasible(result, lines, sites, horizon)
    assert result.demanded == sum(ln.quantity for ln in lines)
    assert {(lp.reference, lp.item) for lp in result.lines} == {
        (ln.reference, ln.item) for ln in lines if ln.quantity > 0}


# ------------------------------------------------------------------ the routes (moto)


@pytest.fixture
def regions(hub):
    found = hub_regions(hub)
    assert len(found) >= 2, "the test hub needs two regions"
    return found


def _today():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).date()


def test_plan_routes_need_a_coordinator_in_scope(client, table, regions):
    for path in ("/coordination/plans", "/coordination/plans/ABCDEFGH/accept"):
        assert send(client, "POST", path, {}).status_code == 401
        assert send(client, "POST", path, {}, token="C-x.wrong").status_code == 401
    narrow = issue(table, regions=[regions[1]])
    assert send(client, "POST", "/coordination/plans", {"region": regions[0]},
                token=narrow).status_code == 403
    bad = send(client, "POST", "/coordination/plans", {"region": "Atlantis"}, token=narrow)
    assert bad.status_code == 400
    # A plan of the whole hub cannot be accepted by a coordinator of one region.
    hub_token = issue(table)
    made = body_of(send(client, "POST", "/coordination/plans", {}, token=hub_token))
    refused = send(client, "POST", f"/coordination/plans/{made['id']}/accept", {},
                   token=narrow)
    assert refused.status_code == 403
    assert send(client, "POST", "/coordination/plans/ABCDEFGH/accept", {},
                token=hub_token).status_code == 404


def test_plan_is_stored_and_accepted_once(client, table, regions):
    token = issue(table)
    needed = (_today() + timedelta(days=3)).isoformat()
    urgent = new_request(client, regions[0], quantity=30, needed_by=needed)
    later = new_request(client, regions[0], quantity=50,
                        needed_by=(_today() + timedelta(days=15)).isoformat())
    maker = new_site(client, regions[0])  # 40 visors a day
    answer = send(client, "POST", "/coordination/plans", {"days": 10}, token=token)
    assert answer.status_code == 201, answer.body
    made = body_of(answer)
    assert made["demanded"] == 80 and made["planned"] == 80
    assert made["on_time"] == made["bound_on_time"] == 80
    by_ref = {x["reference"]: x for x in made["lines"]}
    assert by_ref[urgent["reference"]]["eta"] <= needed
    assert all(c["site"] == maker["id"] for x in made["lines"] for c in x["allocations"])

    path = f"/coordination/plans/{made['id']}/accept"
    first = body_of(send(client, "POST", path,
                         {"lines": [{"reference": urgent["reference"], "item": 0}]},
                         token=token))
    assert [r["status"] for r in first["lines"]] == ["accepted"] and first["remaining"] == 0
    # Again, then everything: the urgent line is not allocated twice.
    again = body_of(send(client, "POST", path,
                         {"lines": [{"reference": urgent["reference"], "item": 0}]},
                         token=token))
    assert again["lines"][0]["status"] == "already_accepted"
    rest = body_of(send(client, "POST", path, {}, token=token))
    assert [(r["reference"], r["status"]) for r in rest["lines"]] == [
        (later["reference"], "accepted")]
    assert body_of(send(client, "POST", path, {}, token=token))["lines"] == []
    listed = body_of(send(client, "GET", f"/coordination/requests/{urgent['reference']}",
                          token=token))
    assert sum(a["quantity"] for a in listed["allocations"]) == 30
    loads = body_of(send(client, "GET", "/coordination/sites", token=token))["sites"]
    assert sum(sum(s["load_per_day"].values()) for s in loads) == 80
    assert max(v for s in loads for v in s["load_per_day"].values()) <= 40  # the rate


def test_a_line_changed_since_the_plan_is_refused_alone(client, table, regions):
    token = issue(table)
    first = new_request(client, regions[0], quantity=10)
    second = new_request(client, regions[0], quantity=10)
    maker = new_site(client, regions[0])
    made = body_of(send(client, "POST", "/coordination/plans", {}, token=token))
    # Meanwhile someone allocates 4 units of the first request by hand.
    by_hand = send(client, "POST", "/coordination/allocations",
                   {"reference": first["reference"], "item": 0, "site": maker["id"],
                    "quantity": 4}, token=token)
    assert by_hand.status_code == 201
    done = body_of(send(client, "POST", f"/coordination/plans/{made['id']}/accept", {},
                        token=token))
    results = {r["reference"]: r for r in done["lines"]}
    assert results[first["reference"]]["status"] == "refused"
    assert results[first["reference"]]["code"] == 409
    assert results[first["reference"]]["error"] == "plan_outdated"
    assert results[first["reference"]]["allocations"] == []
    assert results[second["reference"]]["status"] == "accepted"
    # A new plan takes the 6 units left.
    again = body_of(send(client, "POST", "/coordination/plans", {}, token=token))
    assert [(x["reference"], x["planned"]) for x in again["lines"]] == [
        (first["reference"], 6)]
    # Declined allocations go back to the queue: the next plan proposes them again.
    allocation = results[second["reference"]]["allocations"][0]
    assert act(client, maker["edit_token"], allocation, "decline",
               reason="no_material").status_code == 200
    third = body_of(send(client, "POST", "/coordination/plans", {}, token=token))
    assert {x["reference"]: x["planned"] for x in third["lines"]} == {
        first["reference"]: 6, second["reference"]: 10}


def test_plan_without_the_solver_answers_501(client, table, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_highspy(name, *args, **kwargs):
        if name == "highspy":
            raise ImportError("not in the Lambda package")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_highspy)
    answer = send(client, "POST", "/coordination/plans", {}, token=issue(table))
    assert answer.status_code == 501
    assert body_of(answer)["error"] == "planner_unavailable"


def test_laptop_command_proposes_and_accepts_on_the_same_table(client, table, regions,
                                                               monkeypatch, capsys):
    import importlib.util
    from pathlib import Path

    from api_helpers import TABLE

    request = new_request(client, regions[0], quantity=12)
    new_site(client, regions[1])  # another region: one delivery day more
    monkeypatch.setenv("TABLE_NAME", TABLE)
    path = Path(__file__).resolve().parents[2] / "scripts" / "plan.py"
    spec = importlib.util.spec_from_file_location("plan_cli", path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(["propose", "--csv", "-"]) == 0
    out = capsys.readouterr().out
    assert request["reference"] in out and "LP bound" in out
    plan_id = out.split("Plan ", 1)[1].split(":", 1)[0]
    assert cli.main(["accept", plan_id]) == 0
    assert cli.main(["accept", plan_id, "--line", f"{request['reference']}:0"]) == 0
    out = capsys.readouterr().out
    assert "1 line(s) accepted" in out and "already_accepted" in out
    detail = body_of(send(client, "GET", f"/coordination/requests/{request['reference']}",
                          token=issue(table)))
    assert sum(a["quantity"] for a in detail["allocations"]) == 12
    assert {a["site_region"] for a in detail["allocations"]} == {regions[1]}


def test_accept_goes_a_batch_at_a_time(client, table, regions, monkeypatch):
    from chalicelib import plans

    monkeypatch.setattr(plans, "MAX_ACCEPT_LINES", 2)
    token = issue(table)
    refs = {new_request(client, regions[0], quantity=3)["reference"] for _ in range(3)}
    new_site(client, regions[0])
    made = body_of(send(client, "POST", "/coordination/plans", {}, token=token))
    path = f"/coordination/plans/{made['id']}/accept"
    first = body_of(send(client, "POST", path, {}, token=token))
    assert len(first["lines"]) == 2 and first["remaining"] == 1
    second = body_of(send(client, "POST", path, {}, token=token))
    assert len(second["lines"]) == 1 and second["remaining"] == 0
    assert {r["reference"] for r in first["lines"] + second["lines"]} == refs
    assert all(r["status"] == "accepted" for r in first["lines"] + second["lines"])


# ------------------------------------------------------------------ DynamoDB Local


def test_racing_accepts_allocate_each_line_once(dynamodb_endpoint, hub):
    """8 coordinators accept the same plan at once on DynamoDB Local: each line is
    allocated by exactly one of them, the others see it already accepted."""
    import threading
    import uuid
    from datetime import datetime, timezone

    from api_helpers import maker_body, valid_body
    from chalicelib import plans, tables
    from chalicelib.allocations import Actor
    from chalicelib.maker_models import parse_maker
    from chalicelib.maker_store import MakerStore
    from chalicelib.models import RequestContext, parse_request
    from chalicelib.store import RequestStore

    ddb = tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)
    name = f"usine-plan-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(ddb.meta.client, name)
    table = ddb.Table(name)
    try:
        region = hub_regions(hub)[0]
        context = RequestContext(regions=(region,), designs=("visor-headband", "ear-saver"),
                                 today=RequestContext.earliest_today(),
                                 variants={"visor-headband": ("s", "m", "l")})
        refs = []
        for quantity in (7, 11, 5):
            body = valid_body(items=[{"design": "visor-headband", "variant": "m",
                                      "quantity": quantity}])
            body["delivery"]["region"] = region
            refs.append(RequestStore(table).create(parse_request(body, context)).reference)
        MakerStore(table).create(parse_maker(maker_body(region=region), context))
        now = datetime.now(timezone.utc)
        proposal = plans.propose(table, [region], now)
        assert proposal["planned"] == 23
        item = plans.load(table, proposal["id"], now)
        results, failures = [], []
        start = threading.Barrier(8, timeout=60)

        def coordinator(n):
            start.wait()
            try:
                done = plans.accept_lines(table, item, Actor("coordinator", f"C-{n}"), None)
                results.extend(done["lines"])
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(repr(exc))

        threads = [threading.Thread(target=coordinator, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        accepted = [r for r in results if r["status"] == "accepted"]
        assert sorted(r["reference"] for r in accepted) == sorted(refs)
        assert {r["status"] for r in results} <= {"accepted", "already_accepted"}
        for ref, quantity in zip(refs, (7, 11, 5)):
            stored = table.get_item(Key={"pk": f"REQUEST#{ref}", "sk": "REQUEST"},
                                    ConsistentRead=True)["Item"]
            assert int(stored["items"][0]["allocated"]) == quantity
    finally:
        ddb.meta.client.delete_table(TableName=name)


def test_a_plan_too_large_for_one_item_is_refused(client, table, regions, monkeypatch):
    from chalicelib import plans

    monkeypatch.setattr(plans, "MAX_PLAN_BYTES", 10)
    token = issue(table)
    new_request(client, regions[0], quantity=3)
    new_site(client, regions[0])
    answer = send(client, "POST", "/coordination/plans", {}, token=token)
    assert answer.status_code == 409 and body_of(answer)["error"] == "plan_too_large"
