"""Each figure function on a small result: the numbers drawn are the numbers in the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from simulation.experiments.stats import relative_differences, verdicts
from simulation.report import plots


def test_scenario_colors_are_stable_and_colour_blind_safe() -> None:
    colors = plots.scenario_colors(["a", "b", "c"])
    assert colors == {"a": "#0072B2", "b": "#E69F00", "c": "#009E73"}
    assert plots.scenario_colors(["a", "b"])["a"] == colors["a"]
    assert plots.text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"


def test_time_series_draws_the_band_means(small_comparison) -> None:
    bands = small_comparison.bands(["mean_delay", "active_customers"])
    fig = plots.time_series(bands, ["mean_delay", "active_customers"])
    assert isinstance(fig, go.Figure)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 4  # 2 KPIs x 2 scenarios, plus 4 band polygons
    assert len(fig.data) == 8
    first = bands[(bands.scenario == "pyramid") & (bands.kpi == "mean_delay")]
    np.testing.assert_allclose(lines[0].y, first["mean"].to_numpy())
    assert fig.layout.yaxis.title.text == "days" and fig.layout.xaxis2.title.text == "day"


def test_distributions_show_every_run_in_display_units(small_comparison) -> None:
    runs = small_comparison.runs
    fig = plots.distributions(runs, ["retention", "mean_delay"])
    assert len(fig.data) == 4 and all(t.boxpoints == "all" for t in fig.data)
    np.testing.assert_allclose(fig.data[0].y, runs[runs.scenario == "pyramid"].retention * 100)
    assert fig.data[0].marker.color != fig.data[1].marker.color


def test_forest_plots_relative_differences_with_their_intervals(small_comparison) -> None:
    rel = relative_differences(small_comparison.runs, "pyramid", ["retention", "mean_delay"])
    fig = plots.forest(rel, baseline="pyramid")
    drawn = [t for t in fig.data if t.x[0] is not None]  # one marker per measure, then a key
    assert len(drawn) == 2
    for trace, r in zip(drawn, rel.itertuples(), strict=True):
        assert trace.x[0] == pytest.approx(r.relative * 100)
        assert trace.x[0] + trace.error_x.array[0] == pytest.approx(r.high * 100)
        assert trace.x[0] - trace.error_x.arrayminus[0] == pytest.approx(r.low * 100)
    # coloured and filled by the verdict rule (Holm across the differences shown), in words too
    judged = verdicts(rel, {"retention": True, "mean_delay": False}).set_index("kpi")
    for trace, key in zip(drawn, rel.kpi, strict=True):
        verdict = judged.loc[key, "verdict"]
        tone = verdict if verdict in plots.VERDICT_COLORS else "none"
        assert trace.marker.color == plots.VERDICT_COLORS[tone]
        assert trace.marker.symbol.endswith("-open") == (tone == "none")
        assert trace.text[0].endswith(verdict)
    assert "lower is better" in fig.layout.annotations[1].text
    # each measure on its own scale, zero in view
    assert fig.layout.xaxis.range != fig.layout.xaxis2.range
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.range[0] < 0 < axis.range[1] or axis.range[0] <= 0 <= axis.range[1]


def test_a_verdict_the_ranks_decide_against_the_mean_says_so() -> None:
    """Most runs shorter, a few collapsed runs longer: the mean rises by 22% while the signed
    ranks call it better; "customers wait 22% longer (better, likely)" contradicted itself."""
    row = pd.Series({"verdict": "better", "test": "rank", "rank_direction": -1.0,
                     "relative": 0.22})
    assert plots.verdict_in_words(row) == "better in most runs"
    assert plots.verdict_in_words(row.copy().replace({0.22: -0.1})) == "better"
    assert plots.verdict_in_words(pd.Series({"verdict": "better", "test": "t",
                                             "relative": 0.22})) == "better"


def test_the_forest_colours_better_and_worse_by_direction() -> None:
    """A longer delay is worse and more retention better, whatever the sign of the change."""
    rel = pd.DataFrame({"scenario": ["b", "b"], "kpi": ["mean_delay", "retention"],
                        "relative": [0.5, 0.5], "low": [0.4, 0.4], "high": [0.6, 0.6],
                        "p_value": [1e-6, 1e-6], "n": [20, 20], "paired": [True, True]})
    fig = plots.forest(rel, baseline="a")
    drawn = [t for t in fig.data if t.x[0] is not None]
    assert [t.marker.color for t in drawn] == [plots.VERDICT_COLORS["worse"],
                                               plots.VERDICT_COLORS["better"]]
    assert drawn[0].text[0] == "50% longer: worse" and drawn[1].text[0] == "50% higher: better"


def test_organization_is_drawn_point_up_or_point_down(small_comparison) -> None:
    result = small_comparison
    figs = {}
    for name in result.scenarios:
        figs[name] = plots.organization(result.structure[name],
                                        plots.position_means(result.positions, name), name)
    for name, fig in figs.items():
        people = next(t for t in fig.data if t.name == "employees")
        customers = next(t for t in fig.data if t.name == "external customers")
        nodes = pd.DataFrame(result.structure[name]["nodes"])
        y = dict(zip(nodes.position, people.y, strict=True))
        top = nodes.level.max()
        chief = y[int(nodes[nodes.level == top].position.iloc[0])]
        front = y[int(nodes[nodes.level == 0].position.iloc[0])]
        if result.structure[name]["inverted"]:
            assert chief < front < customers.y[0]  # point down, customers on top
        else:
            assert chief > front > customers.y[0]  # point up, customers at the base
        assert len(people.x) == len(nodes)
        assert [b.label for b in fig.layout.updatemenus[0].buttons] == [
            "morale", "utilisation", "delay attributed"]
        assert "serves:" in people.hovertext[0]
        assert "external customers" in people.hovertext[-1]
        assert list(people.text) == list(nodes.role)  # each person by their own role
        lines = next(t for t in fig.data if t.name == "reports to")
        assert lines.x.count(None) == int((nodes.manager >= 0).sum())  # one per reporting line
        assert not [t for t in fig.layout.yaxis.ticktext if "(level" in t and "frontline" not in t]
    means = plots.position_means(result.positions, "pyramid")
    people = next(t for t in figs["pyramid"].data if t.name == "employees")
    np.testing.assert_allclose(people.marker.color, means.morale.to_numpy())


def test_attribution_bars_add_up_to_the_delay_blamed_per_run(small_comparison) -> None:
    result = small_comparison
    fig = plots.attribution(result.positions, result.structure)
    by_level = [t for t in fig.data if t.visible is True]  # the first view: by role
    assert len(by_level) == 4  # 2 scenarios x (delay, quality)
    assert list(by_level[0].x) == sorted(by_level[0].x)  # the largest at the top
    pos = result.positions[result.positions.scenario == "pyramid"]
    expected = (pos.blamed_delay.sum() + pos.vacancy_wait.sum()) / pos.replication.nunique()
    assert sum(by_level[0].x) == pytest.approx(expected)
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == [
        "by role", "by department", "by level", "top 10 employees"]


def test_internal_service_matrix_is_the_service_weighted_mean(small_comparison) -> None:
    result = small_comparison
    m = plots.internal_service_matrix(result.flows, result.structure, "pyramid", "role")
    nodes = pd.DataFrame(result.structure["pyramid"]["nodes"]).set_index("position")
    f = result.flows[(result.flows.scenario == "pyramid") & (result.flows.customer >= 0)]
    pick = f[(nodes.loc[f.provider, "role"].to_numpy() == "supervisor")
             & (nodes.loc[f.customer, "role"].to_numpy() == "frontline")]
    expected = (pick.satisfaction * pick.services).sum() / pick.services.sum()
    assert m.loc["supervisor", "frontline"] == pytest.approx(expected)
    assert m.index[0] == "chief executive"  # top of the organization first
    fig = plots.internal_service(result.flows, result.structure)
    assert len(fig.data) == 2 and [t.visible for t in fig.data] == [True, False]


def test_service_flow_links_carry_every_service_per_run(small_comparison) -> None:
    result = small_comparison
    fig = plots.service_flow(result.flows, result.structure)
    link = fig.data[0].link
    f = result.flows[result.flows.scenario == "pyramid"]
    assert sum(link.value) == pytest.approx(f.services.sum() / f.replication.nunique())
    assert fig.data[0].node.label[-1] == "external customers"
    ext = [v for t, v in zip(link.target, link.value, strict=True)
           if t == len(fig.data[0].node.label) - 1]
    assert sum(ext) == pytest.approx(
        f[f.customer == -1].services.sum() / f.replication.nunique())


def test_response_curves_and_sobol_bars_on_a_sweep_summary() -> None:
    summary = pd.DataFrame({
        "point": [0, 1, 2, 0, 1, 2], "a.x": [0.0, 0.5, 1.0] * 2, "b.y": [3.0, 1.0, 2.0] * 2,
        "kpi": ["mean_delay"] * 3 + ["retention"] * 3, "mean": [1, 2, 3, 0.9, 0.8, 0.7],
        "ci_low": [0.5, 1.5, 2.5, 0.85, 0.75, 0.65], "ci_high": [1.5, 2.5, 3.5, 0.95, 0.85,
                                                                  0.75]})
    fig = plots.response_curves(summary, ["a.x", "b.y"])
    assert len(fig.data) == 4
    np.testing.assert_allclose(fig.data[2].y, [90, 80, 70])  # retention in %
    np.testing.assert_allclose(fig.data[0].error_y.array, [0.5, 0.5, 0.5])
    indices = pd.DataFrame({"parameter": ["a.x", "b.y"], "first_order": [0.6, 0.1],
                            "total_order": [0.7, 0.2], "first_low": [0.5, 0.0],
                            "first_high": [0.7, 0.2], "total_low": [0.6, 0.1],
                            "total_high": [0.8, np.nan]})
    bars = plots.sobol_indices(indices)
    assert [t.name for t in bars.data] == ["first order", "total order"]
    np.testing.assert_allclose(bars.data[1].error_y.array, [0.1, 0.0])


def test_one_run_is_drawn_with_the_reports_figure_functions() -> None:
    from simulation import OrgModel
    from simulation.experiments.experiment import structure_record

    model = OrgModel(rng=3).run(10)
    daily = model.daily()
    fig = plots.time_series(plots.run_bands(daily, "pyramid", ["mean_delay"]))
    line = next(t for t in fig.data if t.mode == "lines")
    scale = plots.kpi("mean_delay").scale
    np.testing.assert_allclose(line.y, daily.mean_delay.to_numpy() * scale)
    assert list(line.x) == list(daily.index)
    positions = model.positions().set_index("position")
    org = plots.organization(structure_record(model), positions, "pyramid")
    assert len(org.data) > 0
    assert structure_record(model)["nodes"][0]["position"] == 0


def test_attribution_per_request_in_one_order_with_its_legend_in_every_view(
        small_comparison) -> None:
    """With the runs, the bars are days per customer request delivered (the report's; before,
    days summed per run, to 40,000 on the axis), both designs' rows in one order, and every
    view keeps its legend (the top-employees view lost it)."""
    result = small_comparison
    ok = result.runs[result.runs.status == "ok"]
    fig = plots.attribution(result.positions, result.structure, runs=ok)
    assert "days per request delivered" in fig.layout.annotations[0].text
    shown = [t for t in fig.data if t.visible is True]
    pos = result.positions[result.positions.scenario == "pyramid"]
    served = ok.loc[ok.scenario == "pyramid", "delivered"].sum()
    assert sum(shown[0].x) == pytest.approx(
        (pos.blamed_delay.sum() + pos.vacancy_wait.sum()) / served)
    assert sum(shown[0].x) < 5  # days per request, not summed over a run's requests
    delay = [t for t in shown if t.xaxis == "x"]
    assert list(delay[0].y) == list(delay[1].y)  # one order for both designs
    totals = np.sum([t.x for t in delay], axis=0)
    assert list(totals) == sorted(totals)  # largest (over the designs) at the top
    buttons = fig.layout.updatemenus[0].buttons
    for button in buttons:
        visible = button.args[0]["visible"]
        legend = [t.name for t, v in zip(fig.data, visible, strict=True) if v and t.showlegend]
        assert sorted(legend) == sorted(set(ok.scenario)), button.label
