"""The map of where each design wins: paired differences over a grid of parameters."""

from __future__ import annotations

import dataclasses

import pytest

from simulation import load_scenario, map_difference
from simulation.cli.commands import main
from simulation.cli.tables import HEADLINE_DIFFERENCES
from simulation.core.kpis import kpi
from simulation.experiments.design_map import MAP_KPIS, Lever, MapResult, point_scenarios
from simulation.experiments.experiment import compare
from simulation.experiments.stats import relative_differences, verdicts
from simulation.report.html import build_report

PYRAMID, INVERTED = load_scenario("pyramid"), load_scenario("inverted_pyramid")
VARY = ["organization.manager_rate=8:24", "pyramid:organization.reporting_rate=0.05:1"]
RUNS, DAYS, SEED = 6, 60, 11


@pytest.fixture(scope="module")
def small_map(tmp_path_factory) -> MapResult:
    return map_difference(PYRAMID, INVERTED, VARY, points=4, runs=RUNS, days=DAYS, seed=SEED,
                          workers=1, out=tmp_path_factory.mktemp("map"))


def test_the_map_judges_the_compare_headline_kpis() -> None:
    assert MAP_KPIS == HEADLINE_DIFFERENCES


def test_each_point_agrees_with_a_separate_compare(small_map, tmp_path) -> None:
    table = small_map.differences()
    assert set(table.point) == {0, 1, 2, 3} and len(table) == 4 * len(MAP_KPIS)
    for point in range(4):
        a, b = point_scenarios(small_map, point, PYRAMID, INVERTED)
        result = compare([a, b], RUNS, seed=SEED, days=DAYS, workers=1,
                         out=tmp_path / f"p{point}")
        rel = relative_differences(result.runs, a.name, list(MAP_KPIS))
        words = verdicts(rel, {k: kpi(k).higher_is_better for k in MAP_KPIS}) \
            .set_index("kpi").verdict
        mine = table[table.point == point].set_index("kpi")
        for key in MAP_KPIS:
            assert mine.loc[key, "verdict"] == words[key], (point, key)
            expected = {"better": INVERTED.name, "worse": PYRAMID.name}.get(words[key],
                                                                              "neither")
            assert mine.loc[key, "winner"] == expected
    assert (table.winner != "neither").any()  # the grid is not all ties: the check can fail


def test_the_levers_reach_only_their_design(small_map) -> None:
    pyramid, inverted = point_scenarios(small_map, 3, PYRAMID, INVERTED)
    assert pyramid.design.manager_rate == inverted.design.manager_rate == 24.0
    assert pyramid.design.reporting_rate == 1.0
    assert inverted.design.reporting_rate == INVERTED.design.reporting_rate == 0.0


def test_identical_designs_give_neither_everywhere(tmp_path) -> None:
    twin = dataclasses.replace(PYRAMID, name="pyramid_again")
    same = map_difference(PYRAMID, twin, ["organization.manager_rate=10:20",
                                          "organization.approval_prob=0.1:0.5"],
                          points=4, runs=5, days=30, workers=1, out=tmp_path / "same")
    table = same.differences()
    assert (table["diff"] == 0).all() and (table.winner == "neither").all()
    assert "neither design clearly" in same.sentence()


def test_a_map_resumes_and_refuses_another_in_its_folder(small_map) -> None:
    again = map_difference(PYRAMID, INVERTED, VARY, points=4, runs=RUNS, days=DAYS, seed=SEED,
                           workers=1, out=small_map.folder)
    assert again.differences().equals(small_map.differences())
    with pytest.raises(ValueError, match="different map"):
        map_difference(PYRAMID, INVERTED, VARY[:1], points=4, runs=RUNS, days=DAYS,
                       seed=SEED, workers=1, out=small_map.folder)


def test_lever_parsing() -> None:
    both = Lever.parse("organization.manager_rate=8:24", ["pyramid", "inverted_pyramid"])
    assert both.scenario is None and both.parameter.high == 24
    one = Lever.parse("pyramid:organization.reporting_rate=0:1", ["pyramid", "inverted"])
    assert one.scenario == "pyramid" and one.label == "pyramid:organization.reporting_rate"
    with pytest.raises(ValueError, match="not one of the designs"):
        Lever.parse("silos:organization.reporting_rate=0:1", ["pyramid", "inverted"])


def test_sobol_indices_of_the_difference(tmp_path) -> None:
    result = map_difference(PYRAMID, INVERTED, VARY, design="sobol", points=4, runs=3,
                            days=30, workers=1, out=tmp_path / "sobol")
    indices = result.indices("mean_delay", resamples=99)
    assert list(indices.parameter) == ["organization.manager_rate",
                                       "pyramid:organization.reporting_rate"]
    with pytest.raises(ValueError, match="sobol"):
        MapResult.open(tmp_path / "sobol").__class__.indices(
            dataclasses.replace(result, sobol=None), "mean_delay")


def test_the_report_draws_the_map(small_map) -> None:
    html = build_report(small_map.folder)
    assert "Where each design wins" in html and "Better on" in html
    assert "no clear winner" in html  # the legend of points where neither design is clearly better


def test_the_command_line_maps_and_refuses_bad_levers(tmp_path, capsys) -> None:
    assert main(["map", "pyramid", "inverted_pyramid", "--vary", VARY[0], "--vary", VARY[1],
                 "--points", "4", "--runs", "5", "--days", "30", "--workers", "1", "-q",
                 "--out", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "inverted_pyramid minus pyramid" in out and "Better on" in out
    assert (tmp_path / "cli" / "map.csv").exists()
    assert main(["map", "pyramid", "inverted_pyramid", "--vary",
                 "silos:organization.reporting_rate=0:1"]) == 2
    assert "not one of the designs" in capsys.readouterr().err
    assert main(["map", "pyramid", "pyramid", "--vary", VARY[0]]) == 2
