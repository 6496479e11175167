"""Working calendars of positions: off shift a position takes no work, and the wait shows.

A position's ``shift_start`` and ``shift_end`` (fractions of the working day) and ``workdays``
(a cycle of 0s and 1s from the run's first day) say when its holder works; work runs in the
holder's working time (paused off shift, resumed on the next shift), so a customer's time off
shift is *unavailable* in the waiting causes. The rules are ``simulation.core.rules.worked`` and
``advance``; both engines use them.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import CustomGraph, OrgModel, Scenario
from simulation.chain.service_chain import ServiceChain
from simulation.config.scenario import Customers, People, Work
from simulation.core import rules
from simulation.core.causes import Kind
from simulation.core.shifts import shift_calendar


def _off_shift_overlap(a: float, b: float, start: float, end: float, mask: int,
                       period: int) -> float:
    """Time in ``[a, b]`` off shift, by intersecting intervals day by day (not by the rules)."""
    total = 0.0
    for day in range(math.floor(a), math.floor(b) + 1):
        lo, hi = max(a, day), min(b, day + 1)
        if hi <= lo:
            continue
        if (mask >> (day % period)) & 1:
            on = max(0.0, min(hi, day + end) - max(lo, day + start))
            total += (hi - lo) - on
        else:
            total += hi - lo
    return total


calendars = st.integers(1, 7).flatmap(lambda period: st.tuples(
    st.floats(0.0, 0.9), st.floats(0.05, 1.0), st.integers(1, 2 ** period - 1),
    st.just(period))).filter(lambda c: c[0] < c[1])


@settings(max_examples=300, deadline=None)
@given(calendars, st.floats(0.0, 40.0), st.floats(0.0, 3.0))
def test_advance_finds_the_earliest_time_the_work_is_done(calendar, t, w) -> None:
    start, end, mask, period = calendar
    done = rules.advance(t, w, start, end, mask, period)
    assert done >= t
    worked = rules.worked(done, *calendar) - rules.worked(t, *calendar)
    assert worked == pytest.approx(w, abs=1e-9)
    if w > 1e-6:  # not a moment earlier
        assert rules.worked(done - 1e-7, *calendar) - rules.worked(t, *calendar) < w
    off = _off_shift_overlap(t, done, *calendar)
    assert (done - t) - off == pytest.approx(w, abs=1e-9)


def test_work_begins_on_shift() -> None:
    cal = (0.25, 0.75, 0b01111, 5)  # Monday to Thursday, the middle half of the day
    assert rules.advance(3.5, 0.0, *cal) == 3.5  # on shift: at once
    assert rules.advance(3.1, 0.0, *cal) == 3.25  # before the shift: at its start
    assert rules.advance(3.9, 0.0, *cal) == 5.25  # after it: Friday is off, so the next Monday
    assert rules.advance(3.5, 0.5, *cal) == 5.5  # a quarter on Thursday, a quarter on Monday


def test_a_calendar_from_its_columns() -> None:
    assert shift_calendar(0.0, 1.0, "") is None  # always working: no calendar at all
    assert shift_calendar(0.0, 1.0, "11111") is None
    assert shift_calendar(0.25, 0.75, "") == (0.25, 0.75, 1, 1)
    assert shift_calendar(0.0, 1.0, "11010") == (0.0, 1.0, 0b01011, 5)
    for bad in ((0.5, 0.5, ""), (-0.1, 0.5, ""), (0.2, 1.2, ""), (0.0, 1.0, "00000"),
                (0.0, 1.0, "1101x"), (0.0, 1.0, "11111111")):
        with pytest.raises(ValueError):
            shift_calendar(*bad)


def _one_desk(workdays: str = "11110", shift: tuple[float, float] = (0.25, 0.75),
              days: int = 60, keep: bool = False) -> Scenario:
    """One customer-facing desk (rate 30 a day) that works part of the day, part of the week."""
    g = nx.MultiDiGraph()
    g.add_node("desk", rate=30.0, role="desk", name="desk", customer_facing=True,
               shift_start=shift[0], shift_end=shift[1], workdays=workdays)
    return Scenario(name="desk", design=CustomGraph(graph=g), days=days, keep_records=keep,
                    work=Work(handoff_delay=0.0, rework=0.0), people=People(enabled=False),
                    customers=Customers(count=400, request_rate=0.02, churn=False,
                                        word_of_mouth=False, acquisition_per_day=0.0,
                                        failure_demand=0.0))


def test_off_shift_nobody_works_and_the_customers_wait_is_unavailable() -> None:
    """Every service starts on shift; each customer's unavailable time is exactly the desk's
    off-shift time between its arrival and its answer (one visit: its whole delay)."""
    model = OrgModel(_one_desk(keep=True), rng=4, compiled=False, customer_causes=True)
    model.run(60)
    cal = (0.25, 0.75, 0b01111, 5)
    records = model.records()
    assert len(records) > 400
    for start in records.start:
        day = math.floor(start)
        assert (cal[2] >> (day % 5)) & 1 and 0.25 <= start - day <= 0.75
    rows = model.customer_causes()
    off = [_off_shift_overlap(a, a + d, *cal) for a, d in zip(rows.arrival, rows.delay,
                                                               strict=True)]
    assert np.allclose(rows.unavailable, off, atol=1e-9)
    assert rows.unavailable.sum() > 0.5 * rows.delay.sum()  # most of the wait is the night
    kinds = rows[[k.name.lower() for k in Kind]].sum(axis=1)
    assert np.abs(kinds - rows.delay).max() < 1e-9


def test_counting_the_night_as_queueing_is_caught(monkeypatch) -> None:
    """The test above can fail: a chain that ignores the calendar in its causes (the night's
    wait counted as contention) gives no unavailable time."""
    monkeypatch.setattr(ServiceChain, "off_shift", lambda self, node, a, b: 0.0)
    model = OrgModel(_one_desk(), rng=4, compiled=False, customer_causes=True)
    model.run(30)
    assert model.causes("kind").loc["unavailable", "days_per_request"] == 0.0


def test_shifts_give_identical_results_in_both_engines() -> None:
    """Part-time desks in a pyramid, with quits, vacancies and cover: the engines agree."""
    from simulation import Pyramid

    g = nx.MultiDiGraph(Pyramid(levels=2, span=4).build(np.random.default_rng(0)))
    for i, node in enumerate(sorted(g.nodes)):
        if g.nodes[node]["level"] == 0:
            g.nodes[node]["shift_start"] = 0.1 * (i % 3)
            g.nodes[node]["shift_end"] = 0.6 + 0.1 * (i % 4)
            g.nodes[node]["workdays"] = "11101" if i % 2 else ""
    scenario = Scenario(design=CustomGraph(graph=g)).with_people(quit_rate_per_month=0.5,
                                                                 hiring_delay=3.0)
    runs = [OrgModel(scenario, rng=7, compiled=c, customer_causes=True).run(40)
            for c in (False, True)]
    assert runs[1].day.compiled and not runs[0].day.compiled
    a, b = (m.customer_causes() for m in runs)
    assert a.shape == b.shape and np.array_equal(a.to_numpy(), b.to_numpy())
    assert a.unavailable.sum() > 0
    assert runs[0].employee_summary().equals(runs[1].employee_summary())
    assert runs[0].kpis() == runs[1].kpis()


def test_always_on_calendars_change_nothing() -> None:
    """A calendar that always works is no calendar: the results are the ones without it."""
    plain = OrgModel(_one_desk(workdays="", shift=(0.0, 1.0)), rng=2).run(30).kpis()
    g = nx.MultiDiGraph()
    g.add_node("desk", rate=30.0, role="desk", name="desk", customer_facing=True)
    bare = _one_desk(workdays="", shift=(0.0, 1.0))
    bare = Scenario(**{**bare.__dict__, "design": CustomGraph(graph=g)})
    assert OrgModel(bare, rng=2).run(30).kpis() == plain


def test_round_trip_gives_a_positions_calendar_back(tmp_path) -> None:
    """A desk that works Monday to Thursday, 11:00-15:00 of a 09:00-17:00 day (beside a counter
    open all day): its log, rediscovered, gives that calendar back, and the scenario written
    from it the same shift."""
    from simulation.config.files import load_scenario
    from simulation.eventlog.calendar import Calendar
    from simulation.eventlog.discover import discover
    from simulation.eventlog.read import read_log
    from simulation.eventlog.scenario import scenario_files
    from simulation.eventlog.write import simulated_log, write_log

    scenario = _one_desk(days=100, keep=True)  # and a counter open all day, every day
    graph = scenario.design.graph.copy()
    graph.add_node("counter", rate=30.0, role="counter", name="counter", customer_facing=True)
    model = OrgModel(Scenario(**{**scenario.__dict__, "design": CustomGraph(graph=graph)}),
                     rng=5)
    model.run(100)
    path = write_log(simulated_log(model), tmp_path / "desk.csv")
    found = discover(read_log(path))
    assert found.calendar == Calendar()  # the organization's: Mon-Fri 09:00-17:00
    desk = found.positions.set_index("position").loc["desk"]
    assert desk["calendar"] == "Mon-Thu 11:00-15:00"
    files = scenario_files(found, "again", service="working", calendars=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    again = OrgModel(load_scenario(tmp_path / "again.toml"), rng=1)
    nodes = {d["name"]: d for d in again.graph.nodes.values()}
    desk = nodes["desk"]
    assert (desk["shift_start"], desk["shift_end"], desk["workdays"]) == (0.25, 0.75, "11110")
    assert (nodes["counter"]["shift_start"], nodes["counter"]["workdays"]) == (0.0, "")
    assert "shift_start" not in scenario_files(found, "plain", service="working")[
        "plain_org_chart.csv"]  # only when asked


def test_the_load_check_counts_only_the_hours_worked() -> None:
    """A desk that works the middle half of four days in five has 40% of its capacity: 8
    requests a day against 30 x 0.4 = 12 is a load of 2/3, not 8/30; worked a fifth of one day
    in five it is overloaded, and the warning says so."""
    from simulation.checks.offered_load import offered_load
    from simulation.cli.tables import load_warnings

    model = OrgModel(_one_desk(), rng=1)
    load = offered_load(model.graph, model.config.customers)
    assert load.loc[0, "load"] == pytest.approx(8.0 / 12.0)
    rare = OrgModel(_one_desk(workdays="10000", shift=(0.0, 0.2)), rng=1)
    assert offered_load(rare.graph, rare.config.customers).loc[0, "load"] > 1.0
    assert any("desk (desk) is offered" in w for w in load_warnings(rare))


def test_a_shift_too_short_to_work_in_is_refused() -> None:
    """A shift of a millionth of a day would make an hour's work take years (and the search
    for its end overflow): shifts under MIN_SHIFT of the day are refused."""
    from simulation.core.shifts import MIN_SHIFT

    with pytest.raises(ValueError, match=r"at least 0\.001 apart"):
        shift_calendar(0.0, 1e-300, "")
    assert shift_calendar(0.0, MIN_SHIFT, "") == (0.0, MIN_SHIFT, 1, 1)
    with pytest.raises(ValueError, match="node 'desk'"):
        OrgModel(_one_desk(shift=(0.0, 1e-6)), rng=1)


def test_check_network_refuses_a_calendar() -> None:
    from simulation.checks.network import ProductFormError, jackson

    model = OrgModel(_one_desk(), rng=1)
    with pytest.raises(ProductFormError, match="'desk' works a calendar"):
        jackson(model.graph, 8.0)


@pytest.mark.parametrize(("start", "end", "days", "column"), [
    ("", "0", "", "shift_end"), ("", "-0.5", "", "shift_end"), ("1.5", "", "", "shift_start"),
    ("0.2", "0.1", "", "shift_end"), ("", "", "2", "workdays"), ("x", "", "", "shift_start")])
def test_an_org_charts_bad_calendar_names_its_row_and_column(tmp_path, capsys, start, end, days,
                                                             column) -> None:
    import shutil

    from simulation.cli.commands import main

    folder = tmp_path / "company"
    shutil.copytree(Path(__file__).parents[1] / "scenarios" / "examples", folder)
    chart = folder / "org_chart.csv"
    lines = chart.read_text().splitlines()
    lines[0] += ",shift_start,shift_end,workdays"
    lines[1:] = [line + ",,," for line in lines[1:]]
    lines[4] = lines[4][:-3] + f",{start},{end},{days}"
    chart.write_text("\n".join(lines) + "\n")
    assert main(["describe", str(folder / "my_company.toml")]) == 2
    err = capsys.readouterr().err
    assert f"row 5, column {column!r}" in err and "Traceback" not in err
