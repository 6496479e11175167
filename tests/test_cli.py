"""The command line and the README/CI contract."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli.commands import main

ROOT = Path(__file__).resolve().parents[1]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    demo, tests = commands
    assert "service-chain demo" in demo
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert '-m "not slow"' in tests  # the suite; the slow statistical runs follow in CI
    assert any(line.endswith("-m slow") and "pytest" in line for line in ci)


def test_python_version_file_selects_312() -> None:
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


def test_list_and_describe(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("pyramid", "inverted_pyramid", "two_way_street", "flat_team", "silos"):
        assert name in out
    examples = out.split("Examples to copy and edit", 1)[1]  # issue 22: list shows them too
    assert "my_company.toml" in examples and "jackson_network.toml" in examples
    assert main(["describe", "pyramid"]) == 0
    out = capsys.readouterr().out
    assert "chief executive" in out and "Load check" in out


def test_demo_prints_cis_and_a_paired_headline(capsys, tmp_path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--runs", "3", "--days", "5", "-w", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "inverted_pyramid against pyramid, paired over 3 runs" in text
    assert "customer retention" in text and "95% CI" in text
    from simulation.experiments.experiment import ExperimentResult

    result = ExperimentResult.open(out)
    assert len(result.runs) == 6 and len(result.daily) == 6 * 5
    assert "paired over 3 runs" in (out / "summary.txt").read_text()
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences.scenario) == {"inverted_pyramid"} and differences.paired.all()
    bands = result.bands()
    assert set(bands.kpi) == {"active_customers", "mean_delay", "mean_morale"}
    assert (bands.low <= bands["mean"]).all()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "plotly.js v" in report
    assert (out / "report.html").stat().st_size < 2_000_000  # the whole demo report
    first = report.split("<h2>", 1)[0]  # its first screen: the map says when it could flip
    assert "When it could flip (the map over manager capacity from 8 to 24 tasks per day" in first


def test_version_and_one_default_seed(capsys) -> None:
    """Issue 22: no --version ("the following arguments are required: COMMAND"); ``run`` and
    ``describe`` seeded 1 by default while ``compare`` seeded 2026."""
    from simulation import __version__
    from simulation.cli.commands import build_parser
    from simulation.cli.parser import DEFAULT_SEED

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"service-chain {__version__}"
    parser = build_parser()
    seeds = {}
    for argv in (["run", "pyramid"], ["describe", "pyramid"], ["compare", "a", "b"],
                 ["replicate", "a"], ["sweep", "a", "--vary", "x=0:1"], ["demo"],
                 ["map", "a", "b", "--vary", "x=0:1"], ["validate"]):
        args = parser.parse_args(argv)
        if hasattr(args, "seed"):
            seeds[argv[0]] = args.seed
    assert set(seeds.values()) == {DEFAULT_SEED} and len(seeds) >= 6, seeds


def test_a_log_gets_progress_lines(tmp_path, capsys) -> None:
    """Issue 22: with standard error not a terminal (a SLURM log, CI) nothing came until the
    end; now a line every few seconds and one at the end."""
    from simulation.experiments.experiment import ProgressLines

    assert main(["compare", "pyramid", "flat_team", "--runs", "2", "--days", "3", "-w", "1",
                 "--out", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "runs 4/4 done, 0 failed, " in err and "runs/s, done" in err
    lines = ProgressLines(total=3, every=0.0)
    lines.set_postfix(failed=1)
    lines.update()
    lines.close()
    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith("runs 1/3 done, 1 failed, ") and said[0].endswith(" left")
    assert len(said) == 1  # close says nothing new
    assert main(["compare", "pyramid", "flat_team", "--runs", "2", "--days", "3", "-w", "1",
                 "--quiet"]) == 0
    assert "runs/s" not in capsys.readouterr().err


def _strict(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def test_json_on_standard_output_holds_the_tables_numbers(tmp_path, capsys) -> None:
    """Issue 22: human tables only. With --json, standard output is one JSON document with
    the numbers of the files written (the words go to standard error)."""
    import json

    assert main(["run", "pyramid", "--days", "5", "--json", "--out", str(tmp_path / "r")]) == 0
    said = json.loads(capsys.readouterr().out)
    written = json.loads((tmp_path / "r" / "kpis.json").read_text())
    assert said["kpis"]["mean_delay"] == pytest.approx(written["mean_delay"], rel=1e-12)
    assert said["kpis"]["retention"] == pytest.approx(written["retention"], rel=1e-12)
    assert said["seed"] == 2026 and said["causes"]
    out = tmp_path / "c"
    assert main(["compare", "pyramid", "inverted_pyramid", "--runs", "3", "--days", "4", "-w",
                 "1", "--json", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    said = json.loads(captured.out, parse_constant=_strict)  # nothing else; no NaN
    assert "Comparing pyramid, inverted_pyramid" in captured.err
    table = pd.read_csv(out / "differences.csv").set_index("kpi")
    rows = {r["kpi"]: r for r in said["differences"]}
    assert set(rows) == set(table.index) and said["runs"] == 6 and said["failed"] == 0
    for key, row in rows.items():  # NaN (a KPI no run could measure) is JSON's null
        expected = table.loc[key, "relative"]
        assert (row["relative"] is None if np.isnan(expected)
                else row["relative"] == pytest.approx(expected, rel=1e-9))
    assert all(r["kpi"] for r in said["summary"])
    sweep = tmp_path / "s"
    assert main(["sweep", "pyramid", "--vary", "work.communication=0:1", "--points", "2",
                 "--runs", "1", "--days", "3", "-w", "1", "--json", "--out", str(sweep)]) == 0
    said = json.loads(capsys.readouterr().out, parse_constant=_strict)
    points = pd.read_csv(sweep / "points.csv")
    assert [r["mean_delay"] for r in said["points"]] == pytest.approx(list(points.mean_delay))


@pytest.mark.slow  # a Dask cluster starts: CI runs it with the slow tests
def test_dask_from_the_command_line_gives_the_local_pools_tables(tmp_path, capsys) -> None:
    """Issue 22: Dask only from Python. ``--dask local:2`` runs on a 2-process LocalCluster and
    writes the tables ``--workers 2`` writes."""
    from simulation.experiments.store import ResultStore

    common = ["compare", "pyramid", "flat_team", "--runs", "3", "--days", "4", "--quiet"]
    assert main([*common, "--dask", "local:2", "--out", str(tmp_path / "dask")]) == 0
    assert main([*common, "-w", "2", "--out", str(tmp_path / "pool")]) == 0
    dask, pool = ResultStore(tmp_path / "dask"), ResultStore(tmp_path / "pool")
    pd.testing.assert_frame_equal(dask.read_runs(), pool.read_runs())
    pd.testing.assert_frame_equal(dask.read_daily(), pool.read_daily())
    capsys.readouterr()
    for bad in ("lokal", "local:0", "local:x", str(tmp_path / "none.json")):
        assert main([*common, "--dask", bad]) == 2
        err = capsys.readouterr().err
        assert f"--dask {bad}" in err or f"--dask {bad!r}" in err, err


def test_ctrl_c_says_how_many_runs_are_saved_and_how_to_resume(tmp_path, capsys,
                                                                 monkeypatch) -> None:
    import simulation.cli.commands as commands

    argv = ["compare", "pyramid", "flat_team", "--runs", "2", "--days", "3", "-w", "1",
            "--quiet", "--out", str(tmp_path / "c")]
    assert main(argv) == 0
    capsys.readouterr()

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "_run_command", interrupted)
    assert main(argv) == 130
    assert capsys.readouterr().err.strip() == (
        f"interrupted: 4 finished runs saved in {tmp_path / 'c'}; the same command resumes "
        "from there")
    assert main(argv[:-2]) == 130
    assert "no run was saved (without --out" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["compare", "pyramid", "nonsense"], "no bundled scenario of that name"),
    (["compare", "pyramid", "pyramdi"], "did you mean 'pyramid'?"),
    (["compare", "pyramid"], "at least two scenarios"),
    (["compare", "pyramid", "pyramid"], "names must differ"),
    (["demo", "--days", "0"], "--days = 0 is not allowed"),
    (["run", "pyramid", "--seed", "x"], "invalid int value"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_a_clear_message(argv, message, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_every_command_has_help_with_examples(capsys) -> None:
    for command in ("list", "describe", "run", "compare", "sweep", "demo", "report", "validate",
                    "schema", "show", "completion"):
        assert main([command, "--help"]) == 0
        assert "examples:" in capsys.readouterr().out


def test_python_dash_m_runs_the_same_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "simulation", "list"], capture_output=True,
                          text=True, check=True)
    assert "inverted_pyramid" in done.stdout


def test_relative_difference_is_bounded_below_and_reproducible() -> None:
    import numpy as np

    from simulation.experiments.stats import mean_ci, paired_difference, relative_difference

    rng = np.random.default_rng(0)
    base = rng.lognormal(0.0, 1.0, 20)
    better = base * 0.3
    r = relative_difference(better, base)
    assert r["relative"] == pytest.approx(-0.7)
    assert -1.0 < r["low"] <= -0.7 <= r["high"] < 0
    assert r == relative_difference(better, base)
    d = paired_difference(better, base)
    assert d["low"] < d["diff"] < d["high"] < 0 and d["p_value"] < 0.01
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0]))
    assert (m, round(lo, 4), round(hi, 4)) == (2.0, round(2 - 4.302653 / np.sqrt(3), 4),
                                               round(2 + 4.302653 / np.sqrt(3), 4))


def test_readme_quickstart_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    code = readme.split("## Quickstart", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 14
    exec(compile(code, "README quickstart", "exec"), {})


def test_attribution_by_level_adds_up_and_refuses_unknown_groupings() -> None:
    from simulation import OrgModel

    model = OrgModel(rng=2).run(15)
    table = model.attribution("level")
    assert table.share_delay.sum() == pytest.approx(1.0)
    assert table.blamed_delay.sum() == pytest.approx(model.metrics.delay_sum)
    assert model.attribution("role").index[0] == "frontline"
    with pytest.raises(ValueError, match="by = 'rank' is not allowed"):
        model.attribution("rank")


def test_replicate_runs_one_scenario_with_intervals(tmp_path, capsys) -> None:
    out = tmp_path / "one"
    assert main(["replicate", "pyramid", "--runs", "3", "--days", "5", "-w", "1", "--quiet",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Replicating pyramid: 3 replications x 5 days")
    assert "mean delay to customers (days)" in text and "3 runs (0 failed)" in text
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.scenario) == {"pyramid"}
    assert main(["replicate", "no_such_scenario"]) == 2
