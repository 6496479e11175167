"""Command-line conventions, completed (issue 22): --json and --csv on every command with
numbers or tables, CSV copies of the results tables, ``show``, ``run --report``, shell
completion, and every bad input refused with exit 2 and a message, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import tomllib
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli.commands import build_parser, main
from simulation.config.files import SECTIONS, bundled, bundled_dir, load_scenario


def _strict(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- --json, --csv


def test_describe_json_and_csv_hold_the_numbers_it_prints(capsys) -> None:
    from simulation.checks.offered_load import offered_load
    from simulation.model.orgmodel import OrgModel

    assert main(["describe", "pyramid"]) == 0
    human = capsys.readouterr().out
    assert main(["describe", "pyramid", "--json"]) == 0
    captured = capsys.readouterr()
    said = json.loads(captured.out, parse_constant=_strict)
    assert "Headcount and offered load" in captured.err  # the words, on standard error
    assert (f"{said['positions']} positions, {said['customers']} customers at "
            f"{said['request_rate']:g} requests a day each, {said['dependencies']} "
            "dependencies") in human
    assert f"highest {said['highest_load']:.0%}" in human
    scenario = load_scenario("pyramid")
    model = OrgModel(scenario, rng=said["seed"])
    load = offered_load(model.graph, scenario.customers, scenario.work.max_depth)
    assert [r["load"] for r in said["per_position"]] == list(load.load)  # exact, not rounded
    assert [r["name"] for r in said["per_position"]] == list(load.name)
    assert {r["role"]: r["headcount"] for r in said["levels"]} == dict(load.role.value_counts())
    assert sum(r["count"] for r in said["dependency_kinds"]) == said["dependencies"]
    assert main(["describe", "pyramid", "--csv"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert [float(r["load"]) for r in rows] == list(load.load)
    assert [r["department"] for r in rows] == [r["department"] for r in said["per_position"]]
    assert main(["describe", "pyramid", "--csv", "--table", "levels"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert [int(r["headcount"]) for r in rows] == [r["headcount"] for r in said["levels"]]


def test_validate_json_and_csv_hold_each_checks_figures(capsys, monkeypatch) -> None:
    import simulation.checks.validation as validation
    from simulation.checks.result import CheckResult

    real = validation.run_checks(["little"], scale=0.1)  # seeded: the command's numbers
    assert main(["validate", "--only", "little", "--scale", "0.1", "-w", "1", "--json"]) in (0, 1)
    said = json.loads(capsys.readouterr().out, parse_constant=_strict)
    assert [r["check"] for r in said["checks"]] == [r.check for r in real]
    assert [r["simulated"] for r in said["checks"]] == [r.simulated for r in real]
    assert [r["passed"] for r in said["checks"]] == [r.passed for r in real]
    made = [CheckResult("a check", "queueing", "Little 1961", "L = lambda W", 1.5, 1.25, 1.75,
                        "pass", "how", margin=0.05, power=0.9),
            CheckResult("another", "queueing", "Jackson 1957", "exact", 2.0, math.nan,
                        math.nan, "FAIL", "how")]
    monkeypatch.setattr(validation, "run_checks", lambda *a, **k: made)
    assert main(["validate", "--json", "-q"]) == 1  # a failed check: the exit status says so
    said = json.loads(capsys.readouterr().out, parse_constant=_strict)  # NaN is null
    assert said["checks"][0] | {"passed": True} == said["checks"][0]
    assert said["checks"][0]["low"] == 1.25 and said["checks"][0]["power"] == 0.9
    assert said["checks"][1]["low"] is None and said["checks"][1]["passed"] is False
    assert main(["validate", "--csv", "-q"]) == 1
    rows = _rows(capsys.readouterr().out)
    assert [(r["check"], r["simulated"], r["low"], r["passed"]) for r in rows] == [
        ("a check", "1.5", "1.25", "True"), ("another", "2.0", "", "False")]


def test_csv_on_standard_output_is_the_file_written(tmp_path, capsys) -> None:
    """--csv prints the table the command writes with --out, byte for byte."""
    out = tmp_path / "c"
    common = ["--runs", "2", "--days", "3", "-w", "1", "--quiet"]
    assert main(["compare", "pyramid", "flat_team", *common, "--csv", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (out / "differences.csv").read_text()
    assert "Comparing pyramid, flat_team" in captured.err
    assert list(pd.read_csv(io.StringIO(captured.out)).kpi)  # a table pandas reads
    assert main(["compare", "pyramid", "flat_team", *common, "--csv", "--table", "summary",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out == (out / "summary.csv").read_text()
    sweep = tmp_path / "s"
    assert main(["sweep", "pyramid", "--vary", "work.communication=0:1", "--points", "2",
                 *common, "--csv", "--out", str(sweep)]) == 0
    assert capsys.readouterr().out == (sweep / "points.csv").read_text()
    mapped = tmp_path / "m"
    assert main(["map", "pyramid", "flat_team", "--vary", "work.communication=0:1",
                 "--points", "2", *common, "--csv", "--out", str(mapped)]) == 0
    assert capsys.readouterr().out == (mapped / "map.csv").read_text()
    run = tmp_path / "r"
    assert main(["run", "pyramid", "--days", "4", "--csv", "--out", str(run)]) == 0
    (row,) = _rows(capsys.readouterr().out)
    kpis = json.loads((run / "kpis.json").read_text())
    assert row["scenario"] == "pyramid" and int(row["seed"]) == 2026
    for key, value in kpis.items():
        if isinstance(value, float):
            assert (row[key] == "" if math.isnan(value) else float(row[key]) == value), key
    assert main(["run", "pyramid", "--days", "4", "--csv", "--table", "causes"]) == 0
    assert capsys.readouterr().out == (run / "causes.csv").read_text()


def test_json_and_csv_are_one_or_the_other(capsys) -> None:
    assert main(["run", "pyramid", "--json", "--csv"]) == 2
    assert "argument --csv: not allowed with argument --json" in capsys.readouterr().err
    assert main(["describe", "pyramid", "--csv", "--json"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


# --------------------------------------------------------------------------- --csv-tables


def _same_as_parquet(path: Path, table: pd.DataFrame) -> None:
    """The CSV copy reads back as the Parquet table: every row, column and value."""
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    copy = pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=False,
                       na_values={c: [""] for c in table.columns if c not in text},
                       float_precision="round_trip")
    pd.testing.assert_frame_equal(copy, table, check_dtype=False)


def test_csv_tables_are_the_whole_folder_and_never_behind_it(tmp_path, capsys) -> None:
    from simulation.experiments.experiment import compare
    from simulation.experiments.store import ResultStore

    out = tmp_path / "c"
    argv = ["compare", "pyramid", "flat_team", "--days", "3", "-w", "1", "--quiet", "--out",
            str(out)]
    assert main([*argv, "--runs", "2", "--csv-tables"]) == 0
    store = ResultStore(out)
    _same_as_parquet(out / "runs.csv", store.read_runs())
    _same_as_parquet(out / "daily.csv", store.read_daily())
    assert len(pd.read_csv(out / "runs.csv")) == 4
    assert main([*argv, "--runs", "3"]) == 0  # extended without the flag: kept current
    _same_as_parquet(out / "runs.csv", store.read_runs())
    _same_as_parquet(out / "daily.csv", store.read_daily())
    assert len(pd.read_csv(out / "runs.csv")) == 6 and len(pd.read_csv(out / "daily.csv")) == 18
    # extended from Python: the experiment rewrites the copies of a marked folder, holding it
    compare([load_scenario("pyramid"), load_scenario("flat_team")], 4, days=3, out=out,
            workers=1)
    _same_as_parquet(out / "runs.csv", store.read_runs())
    assert len(pd.read_csv(out / "runs.csv")) == 8
    (out / ".daily.csv.123.tmp").write_text("cut off")  # a copy killed mid-write
    assert main([*argv, "--runs", "5", "--csv-tables"]) == 0
    _same_as_parquet(out / "runs.csv", store.read_runs())
    _same_as_parquet(out / "daily.csv", store.read_daily())
    assert len(pd.read_csv(out / "runs.csv")) == 10
    assert not list(out.glob(".*.tmp"))
    capsys.readouterr()


def test_a_users_own_runs_csv_is_never_taken_for_a_copy(tmp_path, capsys) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "runs.csv").write_text("my,data\n")
    argv = ["compare", "pyramid", "flat_team", "--runs", "1", "--days", "2", "-w", "1",
            "--quiet", "--out", str(out)]
    assert main(argv) == 0  # no flag: the user's file is left alone
    assert (out / "runs.csv").read_text() == "my,data\n"
    assert main([*argv, "--csv-tables"]) == 2  # asked for copies: refused, the file named
    err = capsys.readouterr().err
    assert "runs.csv is there and is not a CSV copy this tool wrote" in err
    assert (out / "runs.csv").read_text() == "my,data\n"


def test_the_copies_are_written_while_the_folder_is_held(tmp_path, monkeypatch) -> None:
    """A second writer cannot add runs between the experiment's end and its copies."""
    from simulation.experiments import store as store_module
    from simulation.experiments.experiment import compare

    out = tmp_path / "held"
    store_module.ResultStore(out).keep_csv_copies()
    seen = []
    write = store_module.ResultStore.write_csv_copies

    def check_held(self):
        with pytest.raises(store_module.FolderBusyError), \
                store_module.ResultStore(self.folder).writing():
            pass
        seen.append(True)
        return write(self)

    monkeypatch.setattr(store_module.ResultStore, "write_csv_copies", check_held)
    compare([load_scenario("pyramid"), load_scenario("flat_team")], 1, days=2, out=out,
            workers=1)
    assert seen == [True] and (out / "runs.csv").exists()


# --------------------------------------------------------------------------- show


SCENARIO_FILES = [*bundled().values(), *sorted((bundled_dir() / "examples").glob("*.toml"))]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_show_writes_every_parameter_and_loads_back_the_same(path, tmp_path, capsys) -> None:
    spec = path.stem if path.parent == bundled_dir() else str(path)
    assert main(["show", spec]) == 0
    text = capsys.readouterr().out
    elsewhere = tmp_path / "elsewhere" / "shown.toml"  # another folder: paths must still hold
    elsewhere.parent.mkdir()
    elsewhere.write_text(text, encoding="utf-8")
    original = load_scenario(path)
    assert load_scenario(elsewhere) == original
    table = tomllib.loads(text)
    parts = {"organization": original.design, **{n: getattr(original, n) for n in SECTIONS}}
    for name, part in parts.items():  # every parameter, defaults included (unset: None)
        stated = {f.name for f in fields(part) if getattr(part, f.name) is not None}
        assert set(table[name]) - {"builder"} == stated, name
    for key in ("name", "description", "days", "replications", "keep_records"):
        assert table[key] == getattr(original, key)


def test_show_to_a_file_and_what_it_refuses(tmp_path, capsys) -> None:
    from simulation.config.files import scenario_toml
    from simulation.config.scenario import Scenario
    from simulation.config.strategies import CustomerFirst, Erlang

    target = tmp_path / "company.toml"
    example = str(bundled_dir() / "examples" / "my_company.toml")
    assert main(["show", example, "-o", str(target)]) == 0
    assert f"Written to {target}" in capsys.readouterr().out
    chart = tomllib.loads(target.read_text())["organization"]["org_chart"]
    assert Path(chart).is_absolute() and Path(chart).is_file()
    assert load_scenario(target) == load_scenario(example)
    assert main(["show", "pyramid", "-o", str(target)]) == 2
    assert "exists; choose another name or add --force" in capsys.readouterr().err
    assert main(["show", "pyramid", "-o", str(target), "--force"]) == 0
    assert load_scenario(target) == load_scenario("pyramid")
    # values a bundled file does not hold: a count, profiles (tuples), other strategies
    odd = Scenario(name="odd", description="two\nlines, \"quoted\"", days=7).with_customers(
        count=12, hourly=(1.0, 2.5, 0.5), weekly=(1, 1, 1, 1, 0.5)).with_design(
        discipline=CustomerFirst(), inverted=True).with_work(work_time=Erlang(k=3))
    (tmp_path / "odd.toml").write_text(scenario_toml(odd), encoding="utf-8")
    assert load_scenario(tmp_path / "odd.toml") == odd


# --------------------------------------------------------------------------- run --report


def test_run_writes_its_one_design_report(tmp_path, capsys, monkeypatch) -> None:
    import tempfile

    from simulation.report.page import fmt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "r"
    assert main(["run", "pyramid", "--days", "5", "--out", str(out), "--report"]) == 0
    assert f"Report: {out / 'report.html'}" in capsys.readouterr().out
    page = (out / "report.html").read_text(encoding="utf-8")
    kpis = json.loads((out / "kpis.json").read_text())
    for key in ("mean_delay", "revenue", "retention", "mean_morale"):  # the run's own numbers
        assert f'<td class="v">{fmt(kpis[key], key)}<span class="ci">' in page, key
    assert '<meta name="service-chain:runs" content="1">' in page
    for part in ("<h2>Over time</h2>", "<h2>The organizations</h2>",
                 "<h2>Why customers wait</h2>"):
        assert part in page
    assert list((tmp_path / "tmp").iterdir()) == []  # the one-run folder is gone
    assert main(["run", "pyramid", "--days", "5", "--report", str(tmp_path / "r.txt")]) == 2
    assert "ending in .html" in capsys.readouterr().err  # before the run, not after it


# --------------------------------------------------------------------------- completion


def test_completion_scripts_know_every_command(capsys) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert {"show", "completion", "describe", "compare"} <= set(commands)
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    for name in commands:
        assert name in script, name
    for shell in ("zsh", "tcsh"):
        assert main(["completion", shell]) == 0
        assert "show" in capsys.readouterr().out
    # bash is there wherever CI runs (.ci/run is a bash script): sourced, the script completes
    done = subprocess.run(
        ["bash", "-c", script + '\nCOMP_WORDS=(service-chain sh); COMP_CWORD=1; '
         'COMP_LINE="service-chain sh"; COMP_POINT=${#COMP_LINE}; '
         '_shtab_service_chain; echo "${COMPREPLY[@]}"'],
        capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["show"]


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "pyramid", "--csv", "--table", "kpi"], "argument --table: invalid choice: 'kpi'"),
    (["describe", "pyramid", "--table", "levels"], "--table levels names the table --csv "
                                                   "prints: add --csv"),
    (["compare", "pyramid", "flat_team", "--csv-tables"], "--csv-tables needs --out"),
    (["compare", "pyramid", "flat_team", "--csv-tables=yes"],
     "argument --csv-tables: ignored explicit argument 'yes'"),
    (["sweep", "pyramid", "--vary", "work.communication=0:1", "--csv", "--table", "sobol"],
     "Sobol' indices need --design sobol"),
    (["show", "pyramdi"], "did you mean 'pyramid'?"),
    (["show", "no/such/file.toml"], "no/such/file.toml: no such scenario file"),
    (["show", "pyramid", "-o", "pyramid.txt"], "--output 'pyramid.txt' is not allowed: a .toml"),
    (["show", "pyramid", "-o", "no/such/folder/p.toml"], "no such folder 'no/such/folder'"),
    (["completion", "fish"], "argument SHELL: invalid choice: 'fish' (choose from 'bash', "
                             "'zsh', 'tcsh')"),
    (["completion"], "the following arguments are required: SHELL"),
])
def test_bad_new_options_exit_2_naming_them(argv, message, capsys, tmp_path,
                                            monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a wrong answer must not leave a file in the checkout
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_show_of_a_file_whose_path_breaks_a_line_still_loads_back(tmp_path, capsys) -> None:
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    source = folder / "x.toml"
    source.write_text((bundled_dir() / "pyramid.toml").read_text(), encoding="utf-8")
    assert main(["show", str(source)]) == 0
    shown = tmp_path / "shown.toml"
    shown.write_text(capsys.readouterr().out, encoding="utf-8")
    assert load_scenario(shown) == load_scenario(source)


def test_run_report_of_a_team_where_nobody_helps(tmp_path, capsys) -> None:
    trio = tmp_path / "trio.toml"
    trio.write_text('name = "trio"\ndescription = "Three, no help."\n[organization]\n'
                    'builder = "flat_team"\nsize = 3\nhelpers = 0\n', encoding="utf-8")
    report = tmp_path / "trio.html"
    assert main(["run", str(trio), "--days", "3", "--report", str(report)]) == 0
    assert report.stat().st_size > 0 and "Traceback" not in capsys.readouterr().err


def test_kpis_json_is_json_even_where_a_figure_is_undefined(tmp_path, capsys) -> None:
    out = tmp_path / "r"
    assert main(["run", "pyramid", "--days", "1", "--out", str(out)]) == 0
    capsys.readouterr()
    text = (out / "kpis.json").read_text()
    kpis = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert None in kpis.values()  # a one-day run leaves some figure undefined: null, not NaN


def test_an_interrupt_is_not_masked_by_copies_that_cannot_be_written(tmp_path,
                                                                      monkeypatch) -> None:
    """Ctrl-C stays Ctrl-C (exit 130, "interrupted") though the copies fail to be written."""
    from simulation.experiments import experiment
    from simulation.experiments import store as store_module

    out = tmp_path / "cut"
    store_module.ResultStore(out).keep_csv_copies()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    def full_disk(self):
        raise OSError(28, "No space left on device", str(self.folder / "runs.csv"))

    monkeypatch.setattr(experiment, "_run", interrupted)
    monkeypatch.setattr(store_module.ResultStore, "write_csv_copies", full_disk)
    with pytest.raises(KeyboardInterrupt):
        experiment.compare([load_scenario("pyramid"), load_scenario("flat_team")], 1, days=2,
                           out=out, workers=1)
    assert main(["compare", "pyramid", "flat_team", "--runs", "1", "--days", "2", "-w", "1",
                 "--quiet", "--out", str(out)]) == 130


def test_every_run_failed_is_said_not_a_traceback(tmp_path, monkeypatch, capsys) -> None:
    from simulation.experiments import experiment

    def failing(task):
        base = {"task": task.key, "scenario": task.scenario.name,
                "replication": task.replication, "seed_entropy": str(task.seed),
                "spawn_key": str(task.replication)}
        return {**base, "status": "failed", "error": "ValueError: boom"}, {}

    monkeypatch.setattr(experiment, "run_task", failing)
    assert main(["compare", "pyramid", "flat_team", "--runs", "2", "--days", "3", "-w", "1",
                 "--quiet", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "every run failed (4), so there is nothing to compare; the first: ValueError: boom" \
        in err and "Traceback" not in err
