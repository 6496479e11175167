"""The result store on its own: manifest, parts, atomic writes, reading back, fingerprints."""

from __future__ import annotations

import json
import os

import networkx as nx
import pandas as pd
import pytest

from simulation import CustomGraph, Scenario
from simulation.config.strategies import CobbDouglas
from simulation.experiments import store as store_module
from simulation.experiments.experiment import run_experiment
from simulation.experiments.store import ResultStore, _write_atomic, scenario_fingerprint

MANIFEST = {"format": 2, "seed": 5, "days": 3, "replications": 2,
            "scenarios": {"b": {"source": ""}, "a": {"source": ""}}}


def rows(scenario: str, reps: range) -> list[dict]:
    return [{"task": f"{scenario}#{r}", "scenario": scenario, "replication": r,
             "status": "ok", "x": float(r)} for r in reps]


def daily(scenario: str, reps: range, days: int = 2) -> pd.DataFrame:
    return pd.DataFrame([{"scenario": scenario, "replication": r, "day": d, "y": r * 10.0 + d}
                         for r in reps for d in range(days, 0, -1)])


# ------------------------------------------------------------------------------ manifest


def test_open_creates_the_folders_and_writes_the_manifest(tmp_path) -> None:
    store = ResultStore(tmp_path / "out")
    assert store.manifest_path == tmp_path / "out" / "manifest.json"
    assert store.structure_path == tmp_path / "out" / "structure.json"
    assert store.open(MANIFEST) == set()
    for kind in ("runs", "daily", "positions", "flows"):
        assert (tmp_path / "out" / kind).is_dir()
    text = store.manifest_path.read_text()
    assert text == json.dumps({**MANIFEST, "index": "index.jsonl"}, indent=2) + "\n"
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_reopening_returns_the_tasks_done_and_grows_replications(tmp_path) -> None:
    store = ResultStore(tmp_path)
    store.open(MANIFEST)
    store.write_batch(rows("a", range(2)), {})
    assert ResultStore(tmp_path).open({**MANIFEST, "replications": 1}) == {"a#0", "a#1"}
    assert json.loads(store.manifest_path.read_text())["replications"] == 2
    ResultStore(tmp_path).open({**MANIFEST, "replications": 4})
    assert json.loads(store.manifest_path.read_text())["replications"] == 4
    ResultStore(tmp_path).open({**MANIFEST, "replications": 3, "created": "later"})
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["replications"] == 4 and "created" not in manifest


def test_a_manifest_without_replications_reopens(tmp_path) -> None:
    bare = {"format": 2, "seed": 1, "days": 2, "scenarios": {}}
    ResultStore(tmp_path).open(bare)
    assert ResultStore(tmp_path).open(bare) == set()
    assert json.loads((tmp_path / "manifest.json").read_text()) == {**bare, "index": "index.jsonl"}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("seed", 6, "holds a different experiment: seed 5 then, 6 now"),
    ("days", 4, "holds a different experiment: days .* then, 4 now"),
    ("scenarios", {"a": {"source": ""}}, "holds a different experiment: scenarios .* then, a now"),
    ("format", 1, "written in result format 2, this version writes format 1"),
])
def test_a_different_experiment_is_refused(tmp_path, key, value, message) -> None:
    ResultStore(tmp_path).open(MANIFEST)
    before = (tmp_path / "manifest.json").read_text()
    with pytest.raises(ValueError, match=message):
        ResultStore(tmp_path).open({**MANIFEST, key: value})
    assert (tmp_path / "manifest.json").read_text() == before


def test_a_batch_cut_off_mid_write_is_cleaned_up_on_open(tmp_path) -> None:
    store = ResultStore(tmp_path)
    store.open(MANIFEST)
    stale = tmp_path / "runs" / ".part-000001.parquet.123.tmp"
    stale.write_text("half")
    keep = tmp_path / "runs" / "notes.tmp"
    keep.write_text("mine")
    store.open(MANIFEST)
    assert not stale.exists() and keep.exists()


# ------------------------------------------------------------------------------ structure


def test_structure_is_written_once(tmp_path) -> None:
    store = ResultStore(tmp_path)
    assert store.read_structure() == {}
    store.write_structure({"a": {"nodes": [1, 2]}})
    assert store.read_structure() == {"a": {"nodes": [1, 2]}}
    assert store.structure_path.read_text().endswith("\n")
    store.write_structure({"a": {"nodes": [3]}})
    assert store.read_structure() == {"a": {"nodes": [1, 2]}}
    assert not list(tmp_path.glob("*.tmp"))


# ------------------------------------------------------------------------------ batches


def test_batches_are_numbered_parts_with_runs_written_last(tmp_path, monkeypatch) -> None:
    store = ResultStore(tmp_path)
    store.open(MANIFEST)
    written = []
    real = store_module._write_atomic

    def spy(df, path):
        written.append(path.relative_to(tmp_path).as_posix())
        real(df, path)

    monkeypatch.setattr(store_module, "_write_atomic", spy)
    store.write_batch([], {"daily": [daily("a", range(1))]})  # nothing finished: nothing written
    assert written == []
    store.write_batch(rows("a", range(1)), {"daily": [daily("a", range(1))], "flows": []})
    store.write_batch(rows("a", range(1, 2)), {"daily": [daily("a", range(1, 2))]})
    assert written == ["daily/part-000001.parquet", "runs/part-000001.parquet",
                       "daily/part-000002.parquet", "runs/part-000002.parquet"]
    assert not (tmp_path / "flows" / "part-000001.parquet").exists()
    assert store._next_part() == 3
    (tmp_path / "runs" / "part-000041.parquet").write_bytes(
        (tmp_path / "runs" / "part-000002.parquet").read_bytes())
    assert store._next_part() == 42


def test_reading_back_in_manifest_order_without_duplicates_or_orphans(tmp_path) -> None:
    store = ResultStore(tmp_path)
    store.open(MANIFEST)  # scenario order: b, then a
    store.write_batch(rows("a", range(2)) + rows("b", range(1, 2)),
                      {"daily": [daily("a", range(2)), daily("b", range(1, 2))]})
    again = rows("a", range(1))
    again[0]["x"] = 99.0  # a task recorded twice: the first record counts
    store.write_batch(again + rows("b", range(1)),
                      {"daily": [daily("a", range(1)), daily("b", range(1)),
                                 daily("b", range(5, 6))]})  # b#5: orphan, no runs row
    runs = store.read_runs()
    assert list(runs.task) == ["b#0", "b#1", "a#0", "a#1"]
    assert runs.set_index("task").loc["a#0", "x"] == 0.0
    assert runs.index.tolist() == [0, 1, 2, 3]
    table = store.read_daily()
    assert list(zip(table.scenario, table.replication, table.day, strict=True)) == [
        ("b", 0, 1), ("b", 0, 2), ("b", 1, 1), ("b", 1, 2),
        ("a", 0, 1), ("a", 0, 2), ("a", 1, 1), ("a", 1, 2)]
    assert table.index.tolist() == list(range(8))
    assert table.y.tolist() == [1.0, 2.0, 11.0, 12.0, 1.0, 2.0, 11.0, 12.0]
    pd.testing.assert_frame_equal(store.read_table("daily", runs), table)
    assert store.read_table("positions").empty and store.read_table("flows").empty
    with pytest.raises(ValueError, match="table 'runs' is not allowed"):
        store.read_table("runs")


def test_reading_without_a_manifest_keeps_the_written_order(tmp_path) -> None:
    store = ResultStore(tmp_path)
    (tmp_path / "runs").mkdir()
    store.write_batch(rows("z", range(1)) + rows("a", range(1)), {})
    assert list(store.read_runs().scenario) == ["z", "a"]
    assert ResultStore(tmp_path / "none").read_runs().empty


def test_flows_and_positions_are_sorted_by_their_keys(tmp_path) -> None:
    store = ResultStore(tmp_path)
    store.open(MANIFEST)
    flows = pd.DataFrame({"scenario": "a", "replication": 0, "provider": [2, 1, 1],
                          "customer": [0, 3, -1], "n": [1.0, 2.0, 3.0]})
    positions = pd.DataFrame({"scenario": "a", "replication": 0, "position": [3, 0, 1]})
    store.write_batch(rows("a", range(1)), {"flows": [flows], "positions": [positions]})
    got = store.read_table("flows")
    assert list(zip(got.provider, got.customer, strict=True)) == [(1, -1), (1, 3), (2, 0)]
    assert store.read_table("positions").position.tolist() == [0, 1, 3]


# ------------------------------------------------------------------------------ atomic writes


def test_write_atomic_goes_through_a_hidden_temporary_file(tmp_path, monkeypatch) -> None:
    target = tmp_path / "part-000001.parquet"
    moves = []
    real = os.replace

    def spy(src, dst):
        moves.append((os.path.basename(src), os.path.basename(dst)))
        assert os.path.exists(src) and not os.path.exists(dst)
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    _write_atomic(df, target)
    assert moves == [(f".part-000001.parquet.{os.getpid()}.tmp", "part-000001.parquet")]
    pd.testing.assert_frame_equal(pd.read_parquet(target), df)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-000001.parquet"]


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch) -> None:
    target = tmp_path / "part-000001.parquet"
    _write_atomic(pd.DataFrame({"a": [1]}), target)

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        _write_atomic(pd.DataFrame({"a": [2]}), target)
    assert pd.read_parquet(target).a.tolist() == [1]


# ------------------------------------------------------------------------------ fingerprints


def test_scenario_fingerprint_describes_the_whole_scenario() -> None:
    fp = scenario_fingerprint(Scenario(name="s").with_work(quality_rule=CobbDouglas(0.7)))
    assert fp["type"] == "Scenario" and fp["name"] == "s"
    assert fp["work"]["type"] == "Work"
    assert fp["work"]["quality_rule"] == {"type": "CobbDouglas", "kind": "cobb_douglas",
                                          "input_dependence": 0.7}
    assert fp["people"]["hiring_delay"] == Scenario().people.hiring_delay
    assert fp["customers"]["churn"] is True and fp["keep_records"] is False
    assert json.loads(json.dumps(fp)) == fp  # JSON as it is, nothing left to str()
    assert scenario_fingerprint(Scenario(name="s")) != fp


def test_fingerprint_encodes_graphs_containers_and_others() -> None:
    g = nx.DiGraph()
    g.add_node("a", skill=0.7)
    g.add_edge("a", "b", weight=2.0)
    fp = scenario_fingerprint(Scenario(design=CustomGraph(graph=g)))
    graph = fp["design"]["graph"]
    assert graph == nx.node_link_data(g, edges="edges")
    assert graph["edges"][0]["source"] == "a" and graph["directed"] is True
    encoded = scenario_fingerprint({1: (1.5, None, [True, "x"]), "k": {2: 3}, "o": object})
    assert encoded == {"1": [1.5, None, [True, "x"]], "k": {"2": 3}, "o": str(object)}


def test_a_changed_scenario_under_the_same_name_is_refused(tmp_path) -> None:
    base = Scenario(name="team", days=2).with_customers(count=30)
    run_experiment([base], 1, out=tmp_path, workers=1)
    changed = base.with_work(rework=0.3)
    with pytest.raises(ValueError, match=r"scenario .team.: its settings changed"):
        run_experiment([changed], 1, out=tmp_path, workers=1)
    store = run_experiment([base], 2, out=tmp_path, workers=1)  # the same one resumes
    assert list(store.read_runs().task) == ["team#0", "team#1"]
