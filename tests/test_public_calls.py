"""The one-line calls a notebook needs: results in words and units, and figures of a result."""

from __future__ import annotations

import pytest

from simulation import compare, kpi, load_scenario, plots


@pytest.fixture(scope="module")
def result():
    return compare([load_scenario("pyramid"), load_scenario("inverted_pyramid")], runs=6,
                   days=20, seed=3, workers=1)


def test_means_are_in_the_unit_their_label_says(result) -> None:
    means = result.means(["retention", "mean_delay"])
    summary = result.summary(["retention"]).set_index("scenario")
    shown = means.loc[("pyramid", "customer retention (%)"), "mean"]
    assert shown == pytest.approx(100 * summary.loc["pyramid", "mean"])  # %, not a share
    assert 50 < shown <= 100
    low, high = (float(x) for x in means.loc[("inverted pyramid", "customer retention (%)"),
                                             "95% interval"].split(" to "))
    assert low <= means.loc[("inverted pyramid", "customer retention (%)"), "mean"] <= high
    assert means.loc[("pyramid", "mean delay to customers (days)"), "runs"] == 6
    assert kpi("retention").shown(0.5) == 50.0


def test_verdicts_read_as_words(result) -> None:
    table = result.verdicts(["mean_delay", "retention", "mean_morale"])
    assert list(table.columns) == ["better when", "change", "95% interval", "verdict"]
    assert table.loc["mean delay to customers (days)", "better when"] == "lower"
    assert set(table.verdict) <= {"better", "worse", "no clear difference"}
    relative = result.relative(["mean_delay"]).iloc[0]
    assert table.loc["mean delay to customers (days)", "change"] == f"{relative.relative:+.1%}"
    few = compare([load_scenario("pyramid"), load_scenario("inverted_pyramid")], runs=3,
                  days=10, seed=3, workers=1)
    assert few.verdicts(["mean_delay"]).verdict.iloc[0].startswith("no verdict: 3 runs")


def test_values_are_pairs_and_figures_take_a_result(result) -> None:
    delay = result.values("mean_delay")
    assert list(delay.columns) == ["pyramid", "inverted_pyramid"] and len(delay) == 6
    ok = result.runs[result.runs.scenario == "pyramid"].sort_values("replication")
    assert delay.pyramid.tolist() == ok.mean_delay.tolist()
    with pytest.raises(KeyError, match="not a column"):
        result.values("mean_dealy")
    forest = plots.differences(result, ["mean_delay", "retention"])
    assert len([t for t in forest.data if t.x[0] is not None]) == 2  # a row per measure
    boxes = plots.runs(result, ["mean_delay"])
    assert len(boxes.data) == 2
