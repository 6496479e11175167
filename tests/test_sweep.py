"""Sweeps: designs, applying parameters, and Sobol' indices against a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.config.files import load_scenario
from simulation.experiments.sweep import (
    Parameter,
    SobolDesign,
    apply,
    design_points,
    factorial,
    latin_hypercube,
    point_means,
    run_sweep,
)

ISHIGAMI_FIRST = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_TOTAL = np.array([0.5576, 0.4424, 0.2437])


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_are_recovered() -> None:
    params = [Parameter(f"x{i}", -np.pi, np.pi) for i in range(3)]
    design = SobolDesign.create(params, 2**12, seed=1)
    table = design.indices(ishigami(design.points), resamples=199)
    assert table.first_order.to_numpy() == pytest.approx(ISHIGAMI_FIRST, abs=0.03)
    assert table.total_order.to_numpy() == pytest.approx(ISHIGAMI_TOTAL, abs=0.03)
    assert (table.first_low <= table.first_order).all()
    assert (table.total_high >= table.total_order).all()


def test_sobol_intervals_come_from_their_own_seed_not_numpys_global_state() -> None:
    """scipy's SobolResult.bootstrap draws from numpy's global state: a notebook's intervals
    moved between two runs of the same cell. The seed of ``indices`` decides them now."""
    params = [Parameter(f"x{i}", -np.pi, np.pi) for i in range(3)]
    design = SobolDesign.create(params, 2**6, seed=1)
    y = ishigami(design.points)
    first = design.indices(y, resamples=199, seed=4)
    np.random.seed(123)
    np.random.random(1000)
    pd.testing.assert_frame_equal(design.indices(y, resamples=199, seed=4), first)
    assert not design.indices(y, resamples=199, seed=5).equals(first)
    # the point estimates stay scipy's
    assert first.first_order.to_numpy() == pytest.approx(
        design.indices(y, resamples=9).first_order.to_numpy())


def test_latin_hypercube_covers_each_range_once_per_stratum() -> None:
    params = [Parameter("people.hiring_delay", 10, 40), Parameter("work.communication", 0, 1)]
    x = latin_hypercube(params, 20, seed=3)
    assert x.shape == (20, 2)
    for j, p in enumerate(params):
        strata = np.floor((x[:, j] - p.low) / (p.high - p.low) * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_factorial_and_parsing() -> None:
    a = Parameter.parse("organization.reporting_rate=0:1")
    b = Parameter.parse("organization.span=3,5,8")
    assert (a.low, a.high, b.levels) == (0.0, 1.0, (3.0, 5.0, 8.0))
    grid = factorial([a, b], levels=2)
    assert grid.shape == (6, 2)
    with pytest.raises(ValueError, match="low < high"):
        Parameter.parse("people.hiring_delay=5:1")


def test_apply_validates_paths_and_values() -> None:
    s = apply(load_scenario("pyramid"), "organization.span", 4.2)
    assert s.design.span == 4  # integers are rounded
    with pytest.raises(ValueError, match=r"did you mean people\.hiring_delay"):
        apply(s, "people.hiring_dely", 3)
    with pytest.raises(ValueError, match=r"work\.communication = 3 is not allowed: at most 1"):
        apply(s, "work.communication", 3)


def test_a_small_lhs_sweep_runs_with_common_seeds(tmp_path) -> None:
    params = [Parameter("organization.reporting_rate", 0.0, 2.0)]
    points, _ = design_points("lhs", params, 4, seed=0)
    table = run_sweep(load_scenario("pyramid"), params, points, 2, days=8, out=tmp_path,
                      workers=1)
    assert len(table) == 8 and set(table.point) == {0, 1, 2, 3}
    assert set(table.spawn_key) == {"0", "1"}
    means = point_means(table, "mean_delay")
    order = np.argsort(points[:, 0])
    assert means[order[-1]] > means[order[0]]  # more reporting, slower customers


def test_cli_sweep_with_sobol_design(tmp_path, capsys) -> None:
    from simulation.cli.commands import main

    assert main(["sweep", "pyramid", "--vary", "organization.reporting_rate=0:2",
                 "--vary", "work.communication=0:1", "--design", "sobol", "--points", "4",
                 "--runs", "1", "--days", "4", "-w", "1", "--quiet", "--out",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Sobol' indices of mean_delay" in out
    assert (tmp_path / "sobol.csv").exists() and (tmp_path / "points.csv").exists()
    assert main(["sweep", "pyramid", "--vary", "people.hiring_dely=1:2"]) == 2
    assert "did you mean people.hiring_delay" in capsys.readouterr().err


def test_sweep_returns_a_result_that_reopens_from_its_folder(tmp_path) -> None:
    from simulation import SweepResult, sweep

    result = sweep(load_scenario("pyramid"), ["organization.reporting_rate=0:2"], design="lhs",
                   points=3, runs=2, days=6, out=tmp_path, workers=1)
    assert list(result.points.columns) == ["point", "organization.reporting_rate"]
    assert len(result.runs) == 6 and len(result.daily) == 6 * 6
    assert set(result.daily.point) == {0, 1, 2}
    summary = result.summary(["mean_delay"])
    assert list(summary.point) == [0, 1, 2] and (summary.n == 2).all()
    again = SweepResult.open(tmp_path)
    pd.testing.assert_frame_equal(again.runs, result.runs)
    pd.testing.assert_frame_equal(again.summary(["mean_delay"]), summary)
    np.testing.assert_array_equal(
        summary["mean"], point_means(result.runs, "mean_delay"))
    with pytest.raises(ValueError, match="indices need a sobol design; this sweep is lhs"):
        result.indices()
    with pytest.raises(ValueError, match="holds a different sweep"):
        sweep(load_scenario("pyramid"), ["organization.reporting_rate=0:3"], points=3, runs=2,
              days=6, out=tmp_path, workers=1)


def test_a_sobol_sweep_result_gives_indices_per_parameter(tmp_path) -> None:
    from simulation import sweep

    result = sweep(load_scenario("pyramid"), ["organization.reporting_rate=0:2",
                                              "work.communication=0:1"],
                   design="sobol", points=4, runs=1, days=5, out=tmp_path, workers=1)
    assert len(result.points) == 4 * (2 + 2)
    indices = result.indices("mean_delay", resamples=99)
    assert list(indices.parameter) == ["organization.reporting_rate", "work.communication"]
    assert {"first_order", "total_order", "total_low", "total_high"} <= set(indices.columns)


def test_cli_sweep_announces_the_points_it_runs(tmp_path, capsys) -> None:
    """A factorial of four given levels runs 4 points, whatever --points says (16 by default)."""
    from simulation.cli.commands import main

    assert main(["sweep", "pyramid", "--vary", "organization.reporting_rate=0,0.5,1,2",
                 "--design", "factorial", "--runs", "1", "--days", "3", "-w", "1", "--quiet",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "factorial design, 4 points x 1 replications" in out
    assert len(pd.read_csv(tmp_path / "points.csv")) == 4
    assert main(["sweep", "pyramid", "--vary", "organization.reporting_rate=0:2", "--vary",
                 "work.communication=0:1", "--design", "sobol", "--points", "4", "--runs", "1",
                 "--days", "3", "-w", "1", "--quiet", "--out", str(tmp_path / "s")]) == 0
    assert "sobol design, 16 points x 1" in capsys.readouterr().out
    assert main(["sweep", "pyramid", "--vary", "organization.reporting_rate=0:2", "--design",
                 "sobol", "--out", str(tmp_path / "one")]) == 2
    assert "a sobol design needs at least two varied parameters" in capsys.readouterr().err


def test_the_points_table_holds_the_values_the_runs_used(tmp_path) -> None:
    """Integer and true/false parameters are rounded before they are recorded, not after."""
    from simulation.experiments.sweep import sweep

    result = sweep(load_scenario("flat_team"), ["organization.size=3.5:6.5", "people.enabled=0:1"],
                   design="lhs", points=3, runs=1, days=2, out=tmp_path, workers=1)
    sizes = result.points["organization.size"].to_numpy()
    assert (sizes == sizes.round()).all() and set(result.points["people.enabled"]) <= {0.0, 1.0}
    headcount = result.runs.groupby("point").first()
    assert len(headcount) == 3

