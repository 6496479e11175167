"""A result folder holds exactly the runs of one experiment (issue 18, first part).

The experiment is identified by content (settings, files' contents, code), not by spelling; the
stored baseline is the baseline of every table; one writer at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli.commands import main
from simulation.config.files import load_scenario
from simulation.experiments import experiment
from simulation.experiments.experiment import run_experiment
from simulation.experiments.store import (
    CorruptResultsError,
    DamagedBatchWarning,
    ExperimentMismatchError,
    FolderBusyError,
    ResultStore,
    code_identity,
)

EXAMPLES = Path(__file__).parent.parent / "scenarios" / "examples"
DAYS = 3


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """A copy of the example company (scenario, org chart, internal-customer map)."""
    folder = tmp_path / "company"
    folder.mkdir()
    for name in ("my_company.toml", "org_chart.csv", "internal_customers.csv"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def _runs(out: Path) -> int:
    return len(ResultStore(out).read_runs())


def test_an_org_chart_changed_between_resumes_is_refused(company: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_experiment([load_scenario(company / "my_company.toml")], 1, days=DAYS, out=out,
                   workers=1)
    chart = company / "org_chart.csv"
    rows = chart.read_text().splitlines()
    chart.write_text("\n".join([*rows, rows[-1].replace(rows[-1].split(",")[0], "9999", 1)])
                     + "\n")
    with pytest.raises(ExperimentMismatchError,
                       match="'my_company': the contents of its org chart file changed"):
        run_experiment([load_scenario(company / "my_company.toml")], 2, days=DAYS, out=out,
                       workers=1)
    assert _runs(out) == 1  # nothing added, nothing mixed


def test_a_file_spelt_two_ways_is_one_experiment(company: Path, tmp_path: Path,
                                                  monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(company)
    run_experiment([load_scenario("my_company.toml")], 1, days=DAYS, out=out, workers=1)
    run_experiment([load_scenario(str(company / "my_company.toml"))], 2, days=DAYS, out=out,
                   workers=1)
    assert _runs(out) == 2


def test_a_change_of_the_model_s_code_is_refused(tmp_path: Path, monkeypatch) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    monkeypatch.setattr(experiment, "code_identity",
                        lambda: {**code_identity(), "source": "0" * 64})
    with pytest.raises(ExperimentMismatchError, match="the model's code changed"):
        run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1)


def test_the_code_identity_covers_the_layers_that_make_results() -> None:
    from simulation.experiments.store import RESULT_LAYERS

    code = code_identity()
    assert len(code["source"]) == 64 and code["version"]
    assert {"compiled", "model", "agents", "chain"} <= set(RESULT_LAYERS)
    assert "report" not in RESULT_LAYERS and "cli" not in RESULT_LAYERS


def test_swapped_order_resumes_with_one_baseline_everywhere(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    common = ["--runs", "2", "--days", str(DAYS), "-w", "1", "-q", "--out", str(out)]
    assert main(["compare", "flat_team", "silos", *common]) == 0
    capsys.readouterr()
    assert main(["compare", "silos", "flat_team", *common[:1], "3", *common[2:]]) == 0
    captured = capsys.readouterr()
    assert "flat_team first; it stays the baseline" in captured.err
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences.baseline) == {"flat_team"} and set(differences.scenario) == {"silos"}
    assert "silos against flat_team, paired over 3 runs" in (out / "summary.txt").read_text()
    assert _runs(out) == 6


HOLD = """
import sys, time
from simulation.experiments.store import ResultStore
with ResultStore(sys.argv[1]).writing():
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_and_nothing_is_lost(tmp_path: Path, capsys) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for _ in range(10):
            with pytest.raises(FolderBusyError, match=f"process {holder.pid} on "):
                run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1)
        assert main(["replicate", "flat_team", "--runs", "3", "--days", str(DAYS), "-w", "1",
                     "-q", "--out", str(tmp_path)]) == 2  # the command line: a message
        assert _runs(tmp_path) == 1
    finally:
        holder.kill()
        holder.wait()
    assert "another run is writing to this folder" in capsys.readouterr().err
    time.sleep(0.1)  # the lock goes with the killed process
    run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1)
    assert _runs(tmp_path) == 3


def test_a_failed_replication_is_retried_and_the_others_are_compared(tmp_path: Path,
                                                                     monkeypatch) -> None:
    from simulation.cli.tables import comparison_table
    from simulation.experiments.results import ExperimentResult
    from simulation.model.orgmodel import OrgModel

    scenarios = [load_scenario("flat_team"), load_scenario("silos")]
    real_run = OrgModel.run

    def flaky(self, days=None):
        if self.config.name == "silos" and self.spawn_key == (1,):
            raise RuntimeError("disk on fire")
        return real_run(self, days)

    monkeypatch.setattr(OrgModel, "run", flaky)
    run_experiment(scenarios, 3, days=DAYS, out=tmp_path, workers=1)
    result = ExperimentResult.open(tmp_path)
    assert result.failures.task.tolist() == ["silos#1"]
    assert "disk on fire" in result.failures.error.iloc[0]
    diff = result.differences()
    assert diff.paired.all() and set(diff.n) == {2}  # paired over the two that both finished
    ok = result.runs[result.runs.status == "ok"]
    _, headlines = comparison_table(ok, "flat_team")
    assert "paired over 2 runs" in headlines[0]
    monkeypatch.setattr(OrgModel, "run", real_run)
    run_experiment(scenarios, 3, days=DAYS, out=tmp_path, workers=1)  # the resume retries it
    result = ExperimentResult.open(tmp_path)
    assert result.failures.empty and len(result.runs) == 6
    assert set(result.differences().n) == {3}


def test_a_flipped_bit_and_a_deleted_batch_are_found_by_name_and_re_run(tmp_path: Path) -> None:
    from simulation.experiments.results import ExperimentResult
    from simulation.experiments.store import CorruptResultsError, DamagedBatchWarning

    scenarios = [load_scenario("flat_team"), load_scenario("silos")]
    clean = ExperimentResult.open(run_experiment(scenarios, 4, days=DAYS, out=tmp_path / "a",
                                                 workers=1, batch_size=2).folder)
    out = tmp_path / "b"
    run_experiment(scenarios, 4, days=DAYS, out=out, workers=1, batch_size=2)
    runs_part = out / "runs" / "part-000001.parquet"
    data = bytearray(runs_part.read_bytes())
    data[len(data) // 2] ^= 0x04  # one bit
    runs_part.write_bytes(bytes(data))
    (out / "daily" / "part-000003.parquet").unlink()
    with pytest.raises(CorruptResultsError, match=r"runs/part-000001\.parquet changed after"):
        ExperimentResult.open(out)
    with pytest.warns(DamagedBatchWarning) as caught:
        run_experiment(scenarios, 4, days=DAYS, out=out, workers=1, batch_size=2)
    said = " ".join(str(w.message) for w in caught)
    assert "runs/part-000001.parquet changed after it was written" in said
    assert "daily/part-000003.parquet is missing" in said
    repaired = ExperimentResult.open(out)
    pd.testing.assert_frame_equal(repaired.runs, clean.runs)
    pd.testing.assert_frame_equal(repaired.daily, clean.daily)
    assert sorted(p.name for p in (out / "damaged").iterdir()) == [
        "daily-part-000001.parquet", "flows-part-000001.parquet", "flows-part-000003.parquet",
        "positions-part-000001.parquet", "positions-part-000003.parquet",
        "runs-part-000001.parquet", "runs-part-000003.parquet"]


def test_a_folder_from_before_the_log_is_adopted(tmp_path: Path) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1)
    (tmp_path / "index.jsonl").unlink()  # as written by the previous version:
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    for key in ("index", "code"):  # no log, no code identity
        del manifest[key]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert ResultStore(tmp_path).committed() is None and _runs(tmp_path) == 2
    run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1)
    assert len(ResultStore(tmp_path).committed()) == 2 and _runs(tmp_path) == 3
    upgraded = json.loads((tmp_path / "manifest.json").read_text())
    assert upgraded["code"] == code_identity() and "index" not in upgraded


def test_a_deleted_log_is_not_a_folder_from_before_it(tmp_path: Path) -> None:
    """Deleting index.jsonl does not switch verification off: reads refuse, a resume re-runs."""
    scenario = load_scenario("flat_team")
    first = run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1).read_runs()
    (tmp_path / "index.jsonl").unlink()
    with pytest.raises(CorruptResultsError, match=r"index\.jsonl is missing"):
        ResultStore(tmp_path).read_runs()
    with pytest.warns(DamagedBatchWarning, match=r"index\.jsonl.*is missing"):
        again = run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1).read_runs()
    pd.testing.assert_frame_equal(first.drop(columns=["wall_s"], errors="ignore"),
                                  again.drop(columns=["wall_s"], errors="ignore"))
    assert len(list((tmp_path / "damaged").iterdir())) >= 1


def test_the_command_line_names_a_damaged_batch_and_repairs_it(tmp_path: Path, capsys) -> None:
    common = ["flat_team", "--runs", "2", "--days", str(DAYS), "-w", "1", "-q",
              "--out", str(tmp_path)]
    assert main(["replicate", *common]) == 0
    (tmp_path / "runs" / "part-000001.parquet").write_bytes(b"not parquet")
    assert main(["report", str(tmp_path)]) == 2
    assert "runs/part-000001.parquet changed after it was written" in capsys.readouterr().err
    assert main(["replicate", *common]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "set aside in damaged/" in err
    assert _runs(tmp_path) == 2


@pytest.mark.slow
def test_a_killed_writer_leaves_its_finished_runs_and_no_workers(tmp_path: Path) -> None:
    """SIGKILL to the command only: committed runs stay, the pool's processes go within 6 s.

    (Resuming after a kill is ``test_experiment.py::test_a_killed_experiment_resumes_...``.)
    """
    import os
    import signal

    out = tmp_path / "out"
    # long enough that the first batch (64 runs, or 10 s) is committed well before the end
    command = [sys.executable, "-m", "simulation", "replicate", "flat_team", "--runs", "400",
               "--days", "60", "-w", "2", "-q", "--out", str(out)]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
            (out / "index.jsonl").exists() and (out / "index.jsonl").read_text().strip()):
        time.sleep(0.2)
    committed = _runs(out)
    assert committed >= 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone = False
    for _ in range(12):  # the fork server leaves with its owner, each worker within a second
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            gone = True
            break
        time.sleep(0.5)
    if not gone:
        os.killpg(proc.pid, signal.SIGKILL)
    assert gone, "workers outlived the killed command"
    assert committed <= _runs(out) < 400  # killed mid-run, nothing committed lost


def _subclass(name: str, value: float) -> type:
    from simulation.agents.employee import Employee

    return type(f"Bad{name.title().replace('_', '')}", (Employee,),
                {name: lambda self, *args: value})


@pytest.mark.parametrize(("hook", "value", "allowed"), [
    ("work_time", -0.5, "a finite number >= 0 is allowed"),
    ("output_quality", 5.0, "a number from 0 to 1 is allowed"),
    ("target_morale", float("nan"), "a number from 0 to 1 is allowed"),
    ("quit_probability", 1.5, "a number from 0 to 1 is allowed"),
])
def test_a_hook_output_out_of_range_is_an_error_naming_hook_employee_and_value(
        hook: str, value: float, allowed: str) -> None:
    from simulation.agents.hooks import HookOutputError
    from simulation.model.orgmodel import OrgModel

    cls = _subclass(hook, value)
    model = OrgModel(load_scenario("flat_team"), rng=1, employee_cls=cls)
    with pytest.raises(HookOutputError, match=rf"{cls.__name__}\.{hook} returned {value!r} for "
                                              rf"employee \d+ at position \d+ \(.*\): {allowed}"):
        model.run(3)


def test_api_arguments_are_checked_as_the_command_line_s() -> None:
    from simulation.experiments.experiment import compare

    scenario = load_scenario("flat_team")
    with pytest.raises(ValueError, match="runs = 0 is not allowed"):
        compare([scenario], runs=0)
    with pytest.raises(ValueError, match="days = 0 is not allowed"):
        compare([scenario], runs=1, days=0)


@pytest.mark.parametrize("design", ["InvertedPyramid", "TwoWayStreet"])
@pytest.mark.parametrize(("key", "value"), [("approval_prob", 2.0), ("support_prob", -0.5),
                                            ("escalation_prob", 1.5), ("coaching_rate", -1.0)])
def test_designs_that_change_a_default_keep_its_range(design: str, key: str, value: float) -> None:
    from simulation.config import designs

    with pytest.raises(ValueError, match=key):
        getattr(designs, design)(**{key: value})


def test_a_name_with_a_bidirectional_override_is_refused(tmp_path: Path, capsys) -> None:
    from simulation.config.scenario import Scenario

    with pytest.raises(ValueError, match="U\\+202E"):
        Scenario(name="pyramid\u202e%04-")
    path = tmp_path / "evil.toml"
    path.write_text('name = "a\u202eb"\n', encoding="utf-8")
    assert main(["describe", str(path)]) == 2
    err = capsys.readouterr().err
    assert "U+202E" in err and "Traceback" not in err


def _chart(folder: Path, chart: str, rows: str) -> object:
    from simulation.config.orgdata import OrgChart

    (folder / "chart.csv").write_text(chart, encoding="utf-8")
    (folder / "map.csv").write_text(rows, encoding="utf-8")
    return OrgChart(org_chart=str(folder / "chart.csv"), internal_customers=str(folder / "map.csv"))


CHART = ("employee_id,name,role,department,manager_id\n1,Ann,desk,front,\n2,Bob,desk,front,1\n"
         "3,Cy,it,back,1\n")


def test_org_data_is_read_strictly(tmp_path: Path) -> None:
    import numpy as np

    from simulation.config.orgdata import OrgChartError, OrgDataWarning

    rng = np.random.default_rng(0)
    chart = CHART.replace("manager_id\n", "manager_id,customerfacing\n")
    chart = chart.replace("1,Ann,desk,front,\n", "1,Ann,desk,front,,yes\n")
    chart = chart.replace("2,Bob,desk,front,1\n", "2,Bob,desk,front,1,no\n")
    chart = chart.replace("3,Cy,it,back,1\n", "3,Cy,it,back,1,no\n")
    with pytest.warns(OrgDataWarning, match="'customerfacing'.*did you mean 'customer_facing'"):
        _chart(tmp_path, chart, "employee,relies_on,need,how_often\n2,3,information,0.5\n"
               ).build(rng)
    short = _chart(tmp_path, CHART + "4,Di,it\n", "employee,relies_on,need,how_often\n")
    with pytest.raises(OrgChartError, match=r"chart\.csv: row 5 has 3 fields, the header 5"):
        short.build(rng)
    twice = _chart(tmp_path, CHART, "employee,relies_on,need,how_often\n2,3,information,0.5\n"
                   "1,3,information,0.2\n2,3,information,0.3\n")
    with pytest.raises(OrgChartError, match=r"map\.csv: row 4 repeats row 2 \(2 relies on 3 "
                                            r"for information, per request\)"):
        twice.build(rng)
    both = _chart(tmp_path, CHART, "employee,relies_on,need,how_often\n2,3,information,0.5\n"
                  "2,3,information,weekly\n")
    assert both.build(rng).number_of_edges("2", "3") == 2  # per request and scheduled


def test_a_commit_line_cut_off_by_a_crash_does_not_swallow_the_next(tmp_path: Path) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1, batch_size=1)
    index = tmp_path / "index.jsonl"
    index.write_bytes(index.read_bytes()[:-20])  # the second commit cut off mid-line
    run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1, batch_size=1)
    assert _runs(tmp_path) == 3  # the cut batch re-run, the new commits whole


def test_an_org_chart_edited_while_the_experiment_runs_does_not_reach_its_runs(
        company: Path, tmp_path: Path) -> None:
    """The files are read once, into the scenario: an edit after the start changes no run."""
    from concurrent.futures import ThreadPoolExecutor

    chart = company / "org_chart.csv"
    rows = chart.read_text().splitlines()

    class EditingExecutor(ThreadPoolExecutor):
        """Adds an employee to the org chart as soon as the first run is submitted."""

        def submit(self, *args, **kwargs):  # type: ignore[override]
            future = super().submit(*args, **kwargs)
            if len(chart.read_text().splitlines()) == len(rows):
                chart.write_text("\n".join([*rows, rows[-1].replace(
                    rows[-1].split(",")[0], "9999", 1)]) + "\n")
            return future

    with EditingExecutor(1) as pool:
        store = run_experiment([load_scenario(company / "my_company.toml")], 3, days=DAYS,
                               out=tmp_path / "out", executor=pool)
    positions = store.read_table("positions")
    assert positions.groupby("replication").size().nunique() == 1  # every run: one organization
    assert positions.groupby("replication").size().iloc[0] == len(rows) - 1


def test_a_refused_sweep_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    from simulation.experiments.sweep import sweep
    from simulation.report.html import build_report

    scenario = load_scenario("flat_team")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    with pytest.raises(ExperimentMismatchError, match="holds a different experiment"):
        sweep(scenario, ["work.communication=0:1"], points=2, runs=1, days=DAYS, out=tmp_path,
              workers=1)
    assert not (tmp_path / "sweep.json").exists()
    assert "<h1>" in build_report(tmp_path)  # still a comparison's folder


def test_a_different_sweep_is_refused_by_its_points(tmp_path: Path) -> None:
    from simulation.experiments.sweep import sweep

    scenario = load_scenario("flat_team")
    sweep(scenario, ["work.communication=0:1"], design="factorial", points=2, runs=1, days=DAYS,
          out=tmp_path, workers=1, source="a.toml")
    sweep(scenario, ["work.communication=0:1"], design="factorial", points=2, runs=2, days=DAYS,
          out=tmp_path, workers=1, source="/elsewhere/a.toml")  # spelt otherwise: the same
    with pytest.raises(ExperimentMismatchError):
        sweep(scenario, ["work.communication=0:0.5"], design="factorial", points=2, runs=2,
              days=DAYS, out=tmp_path, workers=1)


def test_a_zombie_or_a_new_process_with_its_pid_is_not_the_owner() -> None:
    from simulation.experiments.pool import _stat, owner_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = _stat(child.pid)[1]
    deadline = time.monotonic() + 10
    while _stat(child.pid)[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)  # exited, not yet reaped: a zombie
    assert _stat(child.pid)[0] == "Z"
    assert not owner_alive(child.pid, started)
    child.wait()
    assert not owner_alive(child.pid, started)
    import os

    me = _stat(os.getpid())
    assert owner_alive(os.getpid(), me[1]) and not owner_alive(os.getpid(), "1")


def test_an_incomplete_folder_says_so_in_the_report_s_headline(tmp_path: Path, capsys) -> None:
    from simulation.report.html import build_report

    run_experiment([load_scenario("flat_team")], 2, days=DAYS, out=tmp_path, workers=1)
    assert ResultStore(tmp_path).incomplete() is None
    assert "headline warn" not in build_report(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["replications"] = 5  # as a command stopped after 2 of 5
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    page = build_report(tmp_path)
    assert "Incomplete: 2 of 5 runs are finished" in page
    assert page.index("Incomplete: 2") < page.index("Key figures")
    with ResultStore(tmp_path).writing():  # a writer at work
        assert "being written now (process" in ResultStore(tmp_path).incomplete()
    assert main(["report", str(tmp_path)]) == 0
    assert "warning: Incomplete: 2 of 5" in capsys.readouterr().err


def test_control_characters_in_user_text_are_written_out_where_shown(tmp_path: Path) -> None:
    from simulation.config.scenario import Scenario
    from simulation.core.text import visible
    from simulation.report.html import build_report

    assert visible("a\u202eb\u200bc\x1b[2Jd\ne\tf") == "a<U+202E>b<U+200B>c<U+001B>[2Jd\ne\tf"
    assert visible("plain, كلمة, שלום") == "plain, كلمة, שלום"  # right-to-left letters stay
    folder = tmp_path / "files"
    folder.mkdir()
    design = _chart(folder, CHART.replace("Bob", "B\u202eob").replace("front", "fr\u2066ont"),
                    "employee,relies_on,need,how_often\n2,3,information,0.5\n")
    scenario = Scenario(name="evil", description="-40% \u202eworse", design=design)
    assert scenario.description == "-40% <U+202E>worse"
    run_experiment([scenario], 1, days=DAYS, out=tmp_path / "out", workers=1)
    page = build_report(tmp_path / "out")
    assert "\u202e" not in page and "\u2066" not in page
    assert "B&lt;U+202E&gt;ob" in page or "B<U+202E>ob" in json.dumps(
        ResultStore(tmp_path / "out").read_structure())


def test_a_changed_setting_is_named(tmp_path: Path) -> None:
    scenario = load_scenario("pyramid")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    with pytest.raises(ExperimentMismatchError, match=r"design\.span: 5 then, 4 now"):
        run_experiment([scenario.with_design(span=4)], 1, days=DAYS, out=tmp_path, workers=1)

