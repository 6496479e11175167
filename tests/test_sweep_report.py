"""The sweep report: PRCC against known answers, readable labels, headline, bounded intervals."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.config.files import BUILDERS, SECTIONS
from simulation.config.labels import SHORT_NAMES, parameter_label, unit_of
from simulation.experiments.sensitivity import importance, prcc, prcc_values

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ PRCC on known answers


def synthetic(points: int = 60, runs: int = 2, seed: int = 1) -> pd.DataFrame:
    """y rises strongly with x1, falls weakly with x2 and ignores x3; ``runs`` rows per point."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(points, 3))
    rows = []
    for i, (x1, x2, x3) in enumerate(x):
        for _ in range(runs):
            y = 3.0 * x1 - 0.8 * x2 + rng.normal(0, 0.3)
            rows.append({"point": i, "x1": x1, "x2": x2, "x3": x3, "y": y, "status": "ok"})
    return pd.DataFrame(rows)


def test_prcc_ranks_a_strong_a_weak_and_a_null_parameter() -> None:
    table = prcc(synthetic(), ["x1", "x2", "x3"], "y", resamples=499, seed=3)
    t = table.set_index("parameter")
    assert list(table.sort_values("rank").parameter) == ["x1", "x2", "x3"]
    assert t.value.x1 > 0.8 and t.value.x2 < -0.2  # signs
    assert t.low.x1 > 0 and t.high.x2 < 0 and t.clear.x1 and t.clear.x2
    assert t.low.x3 < 0 < t.high.x3 and not t.clear.x3  # no effect: the interval covers 0
    assert (table.method == "prcc").all() and (table.points == 60).all()
    assert (table.runs == 120).all()
    assert t.p_adjusted.x1 < 0.001 and t.p_adjusted.x3 > 0.05


def test_prcc_sees_through_a_confounded_design_where_spearman_does_not() -> None:
    """x2 moves with x1 in the design but does nothing: Spearman credits it, PRCC does not."""
    rng = np.random.default_rng(7)
    x1 = rng.uniform(0, 1, 80)
    x2 = x1 + rng.normal(0, 0.05, 80)
    y = np.exp(3 * x1) + rng.normal(0, 0.3, 80)  # monotone, not linear: ranks are the right tool
    data = pd.DataFrame({"point": range(80), "x1": x1, "x2": x2, "y": y})
    spearman = stats.spearmanr(x2, y).statistic
    assert spearman > 0.9  # raw Spearman: x2 looks nearly as important as x1
    t = prcc(data, ["x1", "x2"], "y", resamples=499).set_index("parameter")
    assert t.value.x1 > 0.7 and t.clear.x1
    assert abs(t.value.x2) < 0.3 and not t.clear.x2 and t.low.x2 < 0 < t.high.x2
    assert t["rank"].x1 == 1


def test_one_parameter_gives_spearman() -> None:
    data = synthetic(points=30, runs=1)
    r = prcc(data, ["x1"], "y", resamples=99).value[0]
    assert r == pytest.approx(stats.spearmanr(data.x1, data.y).statistic, abs=1e-12)


def test_runs_at_one_point_are_not_independent_draws() -> None:
    """Ten identical runs per point give the interval of one run per point, not a narrower one."""
    once = synthetic(points=20, runs=1, seed=4)
    tenfold = once.loc[once.index.repeat(10)].reset_index(drop=True)
    a = prcc(once, ["x1", "x2", "x3"], "y", resamples=299, seed=5)
    b = prcc(tenfold, ["x1", "x2", "x3"], "y", resamples=299, seed=5)
    np.testing.assert_allclose(b.value, a.value, atol=1e-12)
    np.testing.assert_allclose(b[["low", "high"]], a[["low", "high"]], atol=1e-12)
    np.testing.assert_allclose(b.p_adjusted, a.p_adjusted, atol=1e-12)


def test_degenerate_inputs_give_nan_with_a_reason_not_a_crash() -> None:
    data = synthetic(points=10, runs=2)
    flat = data.assign(y=1.0)
    t = prcc(flat, ["x1", "x2"], "y", resamples=50)
    assert t.value.isna().all() and t.low.isna().all() and t.p_adjusted.isna().all()
    assert t.note.str.contains("same in every run").all() and not t.clear.any()
    few = data[data.point < 3]
    t = prcc(few, ["x1"], "y", resamples=50)
    assert t.value.notna().all() and t.low.isna().all() and t.high.isna().all()
    assert t.p_adjusted.isna().all() and t.note.str.contains("3 design points").all()
    t = prcc(few, ["x1", "x2"], "y", resamples=50)  # 3 points, 2 parameters: saturated
    assert t.low.isna().all() and t.note.str.contains("3 design points").all()
    empty = importance(data.assign(status="failed"), ["x1"], ["y"], resamples=10)
    assert empty.value.isna().all() and empty.note.str.contains("no finished runs").all()
    assert np.isnan(prcc_values(np.column_stack([data.x1, data.x1]), data.y)).all()


def test_the_bootstrap_is_seeded_locally() -> None:
    data = synthetic(points=15, runs=2)
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    a = prcc(data, ["x1", "x2"], "y", resamples=99, seed=11)
    assert (np.random.get_state()[1] == state).all()  # global numpy state untouched
    pd.testing.assert_frame_equal(a, prcc(data, ["x1", "x2"], "y", resamples=99, seed=11))
    assert not a.low.equals(prcc(data, ["x1", "x2"], "y", resamples=99, seed=12).low)


def test_a_sobol_design_ranks_by_the_total_order_index() -> None:
    data = synthetic(points=12, runs=1)

    def indices(key: str) -> pd.DataFrame:
        return pd.DataFrame({"parameter": ["x1", "x2"], "total_order": [0.1, 0.7],
                             "total_low": [-0.05, 0.4], "total_high": [0.3, 0.9]})

    t = importance(data, ["x1", "x2"], ["y"], sobol=indices).set_index("parameter")
    assert (t.method == "sobol total").all() and t.p_adjusted.isna().all()
    assert t["rank"].x2 == 1 and t.clear.x2 and not t.clear.x1


# ------------------------------------------------------------------ readable labels


def sweepable_paths() -> list[tuple[str, type]]:
    """Every numeric path a sweep can vary, with the class that holds it."""
    out = []
    sections = [("organization", cls) for cls in BUILDERS.values()]
    sections += list(SECTIONS.items())
    for section, cls in sections:
        hints = typing.get_type_hints(cls)
        for key in cls.__pydantic_fields__:
            kinds = set(typing.get_args(hints[key])) | {hints[key]}
            if kinds & {int, float, bool}:
                out.append((f"{section}.{key}", cls))
    return out


def test_every_numeric_path_a_sweep_can_vary_has_words_and_a_description() -> None:
    by_class: dict[type, list[str]] = {}
    for path, cls in sweepable_paths():
        label = parameter_label(path, cls if path.startswith("organization.") else None)
        key = path.split(".", 1)[1]
        assert label.name not in (path, key), path
        assert "_" not in label.name and "." not in label.name, (path, label.name)
        assert label.description, f"{path}: no description in the schema"
        assert label.path == path
        by_class.setdefault(cls, []).append(label.name)
    for cls, names in by_class.items():
        twice = {n for n in names if names.count(n) > 1}
        assert not twice, f"{cls.__name__}: two parameters share a label: {twice}"
    everywhere = [parameter_label(p).name for p, cls in sweepable_paths()
                  if not p.startswith("organization.")]
    assert len(set(everywhere)) == len(everywhere)
    known = {p for p, _ in sweepable_paths()}
    assert not set(SHORT_NAMES) - known, "short names for paths the schema no longer has"


def test_paths_in_the_docs_and_examples_have_labels() -> None:
    texts = [*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md",
             ROOT / "simulation" / "cli" / "parser.py"]
    found = set()
    for path in texts:
        found |= set(re.findall(r"\b((?:organization|work|people|customers)\.[a-z_]+)=",
                                path.read_text(encoding="utf-8")))
    assert {"organization.reporting_rate", "people.hiring_delay"} <= found
    for path in found:
        label = parameter_label(path)
        assert label.description and label.name != path.split(".", 1)[1], path


def test_labels_name_the_unit_the_schema_states() -> None:
    assert parameter_label("organization.manager_rate").title == (
        "manager capacity (tasks per day)")
    assert parameter_label("organization.approval_prob").title == "approval probability (0-1)"
    assert parameter_label("people.hiring_delay").title == "hiring delay (days)"
    assert parameter_label("silos.rate").name == "rate"  # not a section: put in words only
    assert unit_of("Requests per day per active customer (Poisson).") == "requests per day"
    assert unit_of("Number of team members.") == ""
    # a builder's own words for a key several builders share
    assert "frontline member" in parameter_label("organization.rate", "silos").description
    assert "per member" in parameter_label("organization.rate", "FlatTeam").description


# ------------------------------------------------------------------ the report of a real sweep


def headline_of(html: str) -> str:
    return re.search(r'<div class="headline">(.*?)</div>', html, re.S).group(1)


def interval_cells(html: str, column: int) -> list[tuple[float, float, float]]:
    """(mean, low, high) of a column of the points table, as shown (% signs dropped)."""
    table = re.search(r'<table class="data points".*?</table>', html, re.S).group(0)
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cell = re.findall(r"<td>(.*?)</td>", row)[column]
        m = re.fullmatch(r"([-\d.,]+)%? \[([-\d.,]+)%?,&nbsp;([-\d.,]+)%?\]", cell)
        if m:
            out.append(tuple(float(v.replace(",", "")) for v in m.groups()))
    return out


def test_the_report_of_a_sweep_that_one_parameter_dominates(tmp_path) -> None:
    """Manager capacity from 3 to 24 tasks a day (the delay explodes at 3) against the price.

    One test, not several on a shared fixture: under xdist each worker would run the sweep.
    """
    from simulation import SweepResult, load_scenario, sweep
    from simulation.report.html import build_report

    sweep(load_scenario("pyramid"), ["customers.price=50:150", "organization.manager_rate=3:24"],
          design="lhs", points=8, runs=2, days=10, out=tmp_path, workers=1, source="pyramid")
    html = build_report(tmp_path)

    # (b) the headline names the dominant parameter first, by its readable label
    sentences = headline_of(html).split("<br>")
    delay = next(s for s in sentences if s.startswith("Mean delay"))
    assert delay.startswith("Mean delay to customers depends most on <b>manager capacity</b> "
                            "(higher manager capacity, lower mean delay"), delay
    assert "<b>price per request</b> has no clear effect" in delay
    assert "PRCC -0." in delay and "95% interval -" in delay
    table = SweepResult.open(tmp_path).importance(["mean_delay"], resamples=199)
    top = table.sort_values("rank").iloc[0]
    assert top.parameter == "organization.manager_rate" and top.value < 0 and top.clear

    # axis titles are words; the paths stay in the provenance and the table's tooltips
    titles = re.findall(r'"title":\{"text":"([^"]*)"', html)
    assert any(t.startswith("manager capacity (tasks per day)") for t in titles)
    assert not [t for t in titles if "organization." in t or "customers." in t]
    assert "<code>organization.manager_rate</code> from 3 to 24" in html
    assert 'title="organization.manager_rate"' in html
    assert "lhs design: 8 points, 16 runs" in html
    assert "Which parameters matter" in html and "Two parameters together" in html

    # (c) every interval in the points table lies inside its KPI's range
    first = 1 + 2 + 1  # point, two parameters, runs
    delay, retention, morale = (interval_cells(html, first + i) for i in range(3))
    assert len(delay) == len(retention) == len(morale) == 8
    assert all(0 <= lo <= m <= hi for m, lo, hi in delay)
    assert all(0 <= lo <= m <= hi <= 100 for m, lo, hi in retention)
    assert all(0 <= lo <= m <= hi <= 1 for m, lo, hi in morale)


def test_one_parameter_on_three_points_gives_no_verdict(tmp_path) -> None:
    from simulation import load_scenario, sweep
    from simulation.report.html import build_report

    sweep(load_scenario("pyramid"), ["organization.manager_rate=4,12,24"], design="factorial",
          points=3, runs=1, days=4, out=tmp_path, workers=1)
    html = build_report(tmp_path)
    said = headline_of(html)
    assert said.startswith("Mean delay to customers: no verdict on which parameter matters "
                           "(3 design points: no verdict below 4); the largest estimate is "
                           "<b>manager capacity</b> (PRCC -1.00, no interval)"), said
    assert "Two parameters together" not in html


def test_a_factorial_over_two_parameters_draws_a_heatmap(tmp_path) -> None:
    from simulation import load_scenario, sweep
    from simulation.report.html import build_report

    sweep(load_scenario("pyramid"), ["organization.manager_rate=4,20",
                                     "organization.approval_prob=0.1,0.5"],
          design="factorial", points=4, runs=1, days=4, out=tmp_path, workers=1)
    html = build_report(tmp_path)
    assert '"type":"heatmap"' in html
    assert "approval probability (0-1)" in html
