"""The result folder: a manifest of what was run, and Parquet batches written atomically.

The manifest identifies the experiment by content: each scenario's settings and the contents of
its files (not the spelling of their paths), the seed and run length, and the model's code (the
package version and a hash of the source of the layers that make results). Reopening a folder
for a different experiment is refused with what differs. One writer at a time holds the folder's
lock (``.lock``) for as long as it writes. Every batch is committed by a line in
``index.jsonl`` (an append-only log) carrying the SHA-256 of each of its files, written after
the files are on disk; readers see committed batches only and check every file against its
checksum. A batch found damaged or missing when a writer reopens the folder is set aside
(``damaged/``) and its runs run again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import socket
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from simulation.config.files import PATH_KEYS
from simulation.config.scenario import Scenario

FORMAT_VERSION = 2


#: Per-run tables stored beside ``runs``: one row per day, per position, per provider-customer pair.
TABLES = ("daily", "positions", "flows")

#: Tables of which ``service-chain ... --csv-tables`` keeps CSV copies beside the Parquet parts
#: (``runs.csv``, ``daily.csv``): the whole folder's rows, rewritten after every command.
CSV_COPIES = ("runs", "daily")
#: The file that marks a folder as keeping CSV copies (so a user's own ``runs.csv`` in a folder
#: never marked is neither removed nor replaced).
CSV_MARK = ".csv-copies"


def scenario_fingerprint(scenario: Scenario) -> dict[str, Any]:
    """A JSON-able description of a scenario for the manifest (graphs as node-link data)."""

    def encode(value: Any) -> Any:
        if isinstance(value, nx.Graph):
            return nx.node_link_data(value, edges="edges")
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"type": type(value).__name__, **{f.name: encode(getattr(value, f.name))
                                                    for f in dataclasses.fields(value)}}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, float | int | str | bool) or value is None:
            return value
        return str(value)

    out = encode(scenario)
    design = out.get("design")
    for key in PATH_KEYS:  # a file's text is recorded by its digest, not copied in
        text = design.get(f"{key}_contents") if isinstance(design, dict) else None
        if isinstance(text, str):
            design[f"{key}_contents"] = _digest(text.encode("utf-8"))
    return out


class ExperimentMismatchError(ValueError):
    """The folder holds another experiment; the message says what differs."""


class FolderBusyError(RuntimeError):
    """Another writer holds the folder; the message says who."""


class CorruptResultsError(ValueError):
    """A committed batch's file is missing or changed; the message names it."""


class DamagedBatchWarning(UserWarning):
    """A damaged batch was set aside on reopening; its runs will run again."""


#: The commit log of the folder's batches.
INDEX = "index.jsonl"


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync(path: Path) -> None:
    """Flush a file or a folder to disk (where the system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - folders cannot be opened on some systems
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scenario_identity(scenario: Scenario) -> dict[str, Any]:
    """What makes a scenario's runs what they are: its settings and its files' contents.

    ``settings`` hashes the fingerprint without the description and with each file's path cut
    to its name (the same file spelt two ways is the same experiment); ``files`` hashes the
    contents of each file the organization reads (``missing`` when unreadable).
    """
    fingerprint = scenario_fingerprint(scenario)
    fingerprint.pop("description", None)
    design = fingerprint.get("design", {})
    files = {}
    for key in PATH_KEYS:
        value = design.get(key) if isinstance(design, dict) else None
        held = design.pop(f"{key}_contents", None) if isinstance(design, dict) else None
        if isinstance(held, str):  # the digest of the text the runs read
            files[key] = held
        elif isinstance(value, str) and value:
            try:
                files[key] = _digest(Path(value).read_bytes())
            except OSError:
                files[key] = "missing"
        if isinstance(value, str) and value:
            design[key] = Path(value).name
    settings = _digest(json.dumps(fingerprint, sort_keys=True, default=str).encode())
    return {"settings": settings, "files": files}


#: The layers whose code makes the results (the report, the command line and the checks do not).
RESULT_LAYERS = ("core", "config", "agents", "chain", "compiled", "model", "experiments")


@functools.cache
def code_identity() -> dict[str, str]:
    """The package version and a hash of the source of ``RESULT_LAYERS``."""
    from simulation.core.version import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for layer in RESULT_LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    # the source's own number: an editable install's metadata keeps the number it was installed at
    return {"version": __version__, "source": h.hexdigest()}


def mismatches(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between the experiment a folder holds (``old``) and a new one, in words."""
    problems = [f"{key} {old.get(key)} then, {new.get(key)} now"
                for key in ("seed", "days") if old.get(key) != new.get(key)]
    before, now = list(old.get("scenarios", {})), list(new.get("scenarios", {}))
    if set(before) != set(now):
        problems.append(f"scenarios {', '.join(before)} then, {', '.join(now)} now")
        return problems
    for name in before:
        then_id = old["scenarios"][name].get("identity")
        now_id = new["scenarios"][name].get("identity")
        if then_id is None:  # a folder written before identities: compare the settings
            changed = _changed(old["scenarios"][name].get("scenario"),  # paths still count:
                               new["scenarios"][name].get("scenario"),  # no file hashes then
                               ignore=("org_chart_contents", "internal_customers_contents"))
            if changed:
                problems.append(f"scenario {name!r}: its settings changed ({', '.join(changed)})")
            continue
        if then_id["settings"] != now_id["settings"]:
            changed = _changed(old["scenarios"][name].get("scenario"),
                               new["scenarios"][name].get("scenario"))
            problems.append(f"scenario {name!r}: its settings changed"
                            + (f" ({', '.join(changed)})" if changed else ""))
        for key in sorted(set(then_id["files"]) | set(now_id["files"])):
            if then_id["files"].get(key) != now_id["files"].get(key):
                problems.append(f"scenario {name!r}: the contents of its {key.replace('_', ' ')} "
                                "file changed")
    code_then, code_now = old.get("code"), new.get("code")
    if code_then is not None and code_then != code_now:
        problems.append(f"the model's code changed (version {code_then['version']}, source "
                        f"{code_then['source'][:12]} then; version {code_now['version']}, "
                        f"source {code_now['source'][:12]} now)")
    return problems


#: Settings that do not make a run what it is (they are left out of the identity).
_NOT_SETTINGS = ("description", "org_chart_contents", "internal_customers_contents", "org_chart",
                 "internal_customers")


def _changed(then: Any, now: Any, path: str = "", limit: int = 3,
             ignore: tuple[str, ...] = _NOT_SETTINGS) -> list[str]:
    """Settings that differ between two fingerprints (``design.span: 5 then, 4 now``)."""
    if isinstance(then, dict) and isinstance(now, dict):
        out: list[str] = []
        for key in sorted(set(then) | set(now), key=str):
            if key in ignore:
                continue
            out += _changed(then.get(key), now.get(key), f"{path}.{key}" if path else str(key),
                            limit - len(out), ignore)
            if len(out) >= limit:
                break
        return out
    if then != now:
        return [f"{path}: {then!r} then, {now!r} now"[:200]]
    return []


def _upgrade(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A folder's manifest with what an older version did not record filled in from ``new``.

    Called once the two are known to be the same experiment: replications grow to the most
    asked for, and identities and the code's are recorded, so that later resumes check them.
    """
    out = json.loads(json.dumps(old))
    if "replications" in old or "replications" in new:
        out["replications"] = max(old.get("replications", 0), new.get("replications", 0))
    for name, entry in out.get("scenarios", {}).items():
        identity = new.get("scenarios", {}).get(name, {}).get("identity")
        if "identity" not in entry and identity is not None:
            entry["identity"] = identity
    if "code" not in out and "code" in new:
        out["code"] = new["code"]
    return out


def _write_atomic(df: pd.DataFrame, path: Path) -> str:
    """Write ``df`` to ``path`` durably and atomically; returns the file's SHA-256."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    _fsync(tmp)
    os.replace(tmp, path)
    return _file_sha(path)


def _lock_briefly(fd: int, tries: int = 8, wait: float = 0.025) -> None:
    """Take an exclusive ``flock``, trying for 0.2 s.

    A reader asking who writes (:meth:`ResultStore.writer`) holds a shared lock for
    microseconds; a writer starting then must not take it for another writer.
    """
    import fcntl

    for attempt in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == tries - 1:
                raise
            time.sleep(wait)


def read_json(path: Path, why: str) -> dict[str, Any]:
    """A JSON object written by an experiment, or ``CorruptResultsError`` naming the file.

    ``why`` says what the file is for, in the message ("it says which experiment ...").
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise CorruptResultsError(f"{path}: not readable ({err}); {why}, so the folder's runs "
                                  "cannot be used: use another output folder") from None
    if not isinstance(data, dict):
        raise CorruptResultsError(f"{path}: not a JSON object; {why}: use another output "
                                  "folder")
    return data


class ResultStore:
    """The output folder: ``manifest.json``, ``structure.json`` and ``<table>/part-*.parquet``.

    ``runs`` holds one row per finished task; ``daily``, ``positions`` and ``flows`` hold the
    per-run tables of the same batches.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._sums: dict[Path, tuple[tuple[int, int], str]] = {}

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.folder / "manifest.json"

    def read_manifest(self) -> dict[str, Any]:
        """The folder's manifest; ``CorruptResultsError`` naming it if it is not a JSON object."""
        return read_json(self.manifest_path, "it says which experiment the folder holds")

    def open(self, manifest: dict[str, Any]) -> set[str]:
        """Create or reopen the folder for this experiment; returns the tasks done (not failed).

        CSV copies of its tables (:meth:`write_csv_copies`) are removed: the runs about to be
        added would leave them out of date (the command line writes them again at the end).

        Raises:
            ExperimentMismatchError: if the folder holds a different experiment.
        """
        (self.folder / "runs").mkdir(parents=True, exist_ok=True)
        for kind in TABLES:
            (self.folder / kind).mkdir(exist_ok=True)
        for stale in self.folder.glob("*/.part-*.tmp"):  # a batch cut off mid-write
            stale.unlink()
        for stale in self.folder.glob(".*.csv.*.tmp"):  # a CSV copy cut off mid-write
            stale.unlink()
        old = self._check_manifest(manifest)
        if self.keeps_csv_copies():  # runs may be added now: a copy would fall behind them
            self.remove_csv_copies()
        if not self.index_path.exists():
            if "index" in old:  # the log was deleted: no batch can be verified
                self._set_aside_unlogged()
            else:  # a folder from before the log: take its batches as they are
                self._adopt()
        for message in self.repair():
            warnings.warn(message, DamagedBatchWarning, stacklevel=2)
        runs = self.read_runs()
        if not len(runs):
            return set()
        ok = runs.status == "ok" if "status" in runs else True
        return set(runs.task[ok])  # a failed run is run again

    def _check_manifest(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Write the manifest, or check the folder's against it and upgrade it; the old one."""
        if not self.manifest_path.exists():
            self._write_manifest({**manifest, "index": INDEX})
            self.index_path.touch()  # from now on, a missing log was deleted
            return {}
        old = self.read_manifest()
        if old.get("format") != manifest.get("format"):
            raise ExperimentMismatchError(
                f"{self.folder}: written in result format {old.get('format')}, this version "
                f"writes format {manifest.get('format')}; use another output folder")
        problems = mismatches(old, manifest)
        if problems:
            raise ExperimentMismatchError(
                f"{self.folder}: holds a different experiment: {'; '.join(problems)}. Its "
                "runs would be mixed with these; use another output folder (--out) to "
                "start a new one")
        upgraded = _upgrade(old, manifest)
        if "index" not in upgraded and self.index_path.exists():  # adopted last time
            upgraded["index"] = INDEX
        if upgraded != old:
            self._write_manifest(upgraded)
        return old

    def _set_aside_unlogged(self) -> None:
        """Move every batch aside (``damaged/``): without the commit log none can be trusted."""
        aside = self.folder / "damaged"
        for kind in (*TABLES, "runs"):
            for path in sorted((self.folder / kind).glob("part-*.parquet")):
                aside.mkdir(exist_ok=True)
                os.replace(path, aside / f"{kind}-{path.name}")
        if aside.exists():
            warnings.warn(f"{self.folder}: {INDEX}, the log of which batches were written whole, "
                          "is missing; every batch is set aside in damaged/ and its runs will "
                          "run again", DamagedBatchWarning, stacklevel=3)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the folder's lock while writing; a second writer gets ``FolderBusyError``.

        The lock (``flock`` on ``.lock``) goes with the process: a killed writer frees it.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                _lock_briefly(fd)
            except ImportError:  # pragma: no cover - not POSIX: no lock
                pass
            except BlockingIOError:
                holder = os.pread(fd, 512, 0).decode(errors="replace").strip() or "unknown"
                raise FolderBusyError(
                    f"{self.folder}: another run is writing to this folder ({holder}); wait "
                    "for it to finish, or use another output folder") from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()} since "
                          f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
            yield
        finally:
            os.close(fd)

    def check_attachment(self, name: str, data: dict[str, Any],
                         ignore: tuple[str, ...] = ("source",)) -> None:
        """Refuse if the folder holds a different ``name`` (e.g. ``sweep.json``) than ``data``.

        Keys in ``ignore`` (how the inputs were spelt) do not count.
        """
        path = self.folder / name
        if not path.exists():
            return
        try:
            old = json.loads(path.read_text())
        except ValueError:
            old = None
        if not isinstance(old, dict) or ({k: v for k, v in old.items() if k not in ignore}
                                         != {k: v for k, v in data.items() if k not in ignore}):
            what = name.removesuffix(".json")
            raise ExperimentMismatchError(f"{self.folder}: holds a different {what} ({name} "
                                          "differs); use another output folder (--out)")

    def attach(self, name: str, data: dict[str, Any]) -> None:
        """Write ``name`` (e.g. ``sweep.json``) beside the runs, atomically."""
        tmp = self.folder / f".{name}.tmp"
        tmp.write_text(json.dumps(data, indent=1, default=str))
        os.replace(tmp, self.folder / name)

    def writer(self) -> str | None:
        """Who is writing to the folder now (from the lock), or None when nobody is."""
        lock = self.folder / ".lock"
        if not lock.exists():
            return None
        fd = os.open(lock, os.O_RDONLY)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX: no lock to ask
            return None
        except BlockingIOError:
            return os.pread(fd, 512, 0).decode(errors="replace").strip() or "unknown"
        finally:
            os.close(fd)  # closing releases a shared lock taken here
        return None

    def incomplete(self, runs: pd.DataFrame | None = None) -> str | None:
        """A sentence saying why the folder holds fewer finished runs than asked for, or None.

        Counts the runs finished (``ok``) against the manifest's replications times scenarios,
        and says whether a writer is still at work.
        """
        manifest = self.read_manifest()
        runs = self.read_runs() if runs is None else runs
        expected = int(manifest.get("replications", 0)) * len(manifest.get("scenarios", {}))
        ok = int((runs.status == "ok").sum()) if "status" in runs else len(runs)
        failed = len(runs) - ok
        busy = self.writer()
        if ok >= expected and busy is None:
            return None
        said = f"Incomplete: {ok} of {expected} runs are finished"
        said += f" ({failed} failed)" if failed else ""
        if busy is not None:
            return (said + f". The folder is being written now ({busy}); this shows only the "
                    "runs committed so far.")
        return (said + ". The command that wrote this folder stopped before the end (or runs "
                "failed); run it again to finish: it resumes.")

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    @property
    def index_path(self) -> Path:
        """The commit log of the batches."""
        return self.folder / INDEX

    def _log(self) -> list[dict[str, Any]]:
        if not self.index_path.exists():
            return []
        records = []
        for line in self.index_path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:  # a commit cut off mid-line: that batch is not committed
                continue
        return records

    def committed(self) -> dict[str, dict[str, str]] | None:
        """Each committed batch's files and checksums; None for a folder from before the log."""
        if not self.index_path.exists():
            if not self._indexed():
                return None
            if any((self.folder / "runs").glob("part-*.parquet")):
                raise CorruptResultsError(
                    f"{self.index_path} is missing, so no batch of runs can be verified; run "
                    "the command that wrote this folder again: it sets them aside and re-runs "
                    "their runs")
            return {}
        batches: dict[str, dict[str, str]] = {}
        for record in self._log():
            if record.get("removed"):
                batches.pop(record["part"], None)
            else:
                batches[record["part"]] = record["sha256"]
        return batches

    def _indexed(self) -> bool:
        """Whether the folder was written with the commit log (its manifest says so)."""
        try:
            return "index" in self.read_manifest()
        except (OSError, ValueError):
            return False

    def _sha(self, path: Path) -> str:
        """A file's SHA-256, hashed again only when its size or modification time changed."""
        st = path.stat()
        key = (st.st_size, st.st_mtime_ns)
        cached = self._sums.get(path)
        if cached is None or cached[0] != key:
            cached = (key, _file_sha(path))
            self._sums[path] = cached
        return cached[1]

    def _append(self, record: dict[str, Any]) -> None:
        torn = (self.index_path.exists() and self.index_path.stat().st_size > 0
                and not self.index_path.read_bytes().endswith(b"\n"))
        with self.index_path.open("a", encoding="utf-8") as fh:
            # after a line cut off by a crash, start a new one: never glue a commit onto it
            fh.write(("\n" if torn else "") + json.dumps(record, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _adopt(self) -> None:
        """Commit the batches of a folder written before the log, as they are now."""
        for path in sorted((self.folder / "runs").glob("part-*.parquet")):
            sums = {kind: _file_sha(self.folder / kind / path.name)
                    for kind in (*TABLES, "runs") if (self.folder / kind / path.name).exists()}
            self._append({"part": path.name, "sha256": sums})

    def check(self) -> list[tuple[str, str]]:
        """``(part, what is wrong)`` for each committed batch with a file missing or changed."""
        problems = []
        for part, sums in sorted((self.committed() or {}).items()):
            for kind, digest in sorted(sums.items()):
                path = self.folder / kind / part
                if not path.exists():
                    problems.append((part, f"{kind}/{part} is missing"))
                    break
                if self._sha(path) != digest:
                    problems.append((part, f"{kind}/{part} changed after it was written"))
                    break
        return problems

    def repair(self) -> list[str]:
        """Set damaged batches aside (``damaged/``) so their runs run again; says which."""
        messages = []
        for part, why in self.check():
            aside = self.folder / "damaged"
            aside.mkdir(exist_ok=True)
            for kind in (*TABLES, "runs"):
                path = self.folder / kind / part
                if path.exists():
                    os.replace(path, aside / f"{kind}-{part}")
            self._append({"part": part, "removed": True, "why": why})
            messages.append(f"{self.folder}: {why}; that batch is set aside in damaged/ and its "
                            "runs will run again")
        return messages

    def _next_part(self) -> int:
        names = {p.name for p in (self.folder / "runs").glob("part-*.parquet")}
        names |= {record["part"] for record in self._log()}
        numbers = [int(n.split("-")[1].split(".")[0]) for n in names]
        return max(numbers) + 1 if numbers else 1

    @property
    def structure_path(self) -> Path:
        """Where the organizations (nodes and edges per scenario) are kept."""
        return self.folder / "structure.json"

    def write_structure(self, structures: dict[str, Any]) -> None:
        """Record each scenario's organization (once; the manifest guards the scenarios)."""
        if not self.structure_path.exists():
            tmp = self.structure_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(structures, default=str) + "\n")
            os.replace(tmp, self.structure_path)

    def read_structure(self) -> dict[str, Any]:
        """Each scenario's organization, or ``{}`` for a folder written without it."""
        if not self.structure_path.exists():
            return {}
        return read_json(self.structure_path, "it holds each scenario's organization")

    def write_batch(self, rows: list[dict[str, Any]],
                    tables: dict[str, list[pd.DataFrame]]) -> None:
        """Write one batch: the per-run tables first, the runs part last (it marks tasks done)."""
        if not rows:
            return
        part = self._next_part()
        name = f"part-{part:06d}.parquet"
        sums = {}
        for kind, frames in tables.items():
            if frames:
                sums[kind] = _write_atomic(pd.concat(frames, ignore_index=True),
                                           self.folder / kind / name)
        sums["runs"] = _write_atomic(pd.DataFrame(rows), self.folder / "runs" / name)
        for kind in sums:
            _fsync(self.folder / kind)
        self._append({"part": name, "sha256": sums})  # the commit: after the files are down

    def read_runs(self) -> pd.DataFrame:
        """All run rows, one per task, in scenario then replication order."""
        return self._read("runs")

    def read_daily(self) -> pd.DataFrame:
        """All daily rows of the tasks recorded in ``runs`` (orphans of a killed batch dropped)."""
        return self.read_table("daily")

    def read_table(self, kind: str, runs: pd.DataFrame | None = None) -> pd.DataFrame:
        """A per-run table (``daily``, ``positions`` or ``flows``) of the recorded tasks.

        ``runs`` is :meth:`read_runs`'s table when already read.
        """
        keys = {"daily": ["day"], "positions": ["position"], "flows": ["provider", "customer"]}
        if kind not in keys:
            raise ValueError(f"table {kind!r} is not allowed: one of {', '.join(keys)}")
        table = self._read(kind)
        if len(table):
            runs = self.read_runs() if runs is None else runs
            done = pd.MultiIndex.from_arrays([runs.scenario, runs.replication])
            keep = pd.MultiIndex.from_arrays([table.scenario, table.replication]).isin(done)
            table = table[keep].drop_duplicates(["scenario", "replication", *keys[kind]])
        return table.reset_index(drop=True)

    def csv_copies(self) -> list[Path]:
        """The CSV copies in the folder (``runs.csv``, ``daily.csv``), those that exist."""
        return [p for p in (self.folder / f"{kind}.csv" for kind in CSV_COPIES) if p.exists()]

    def keeps_csv_copies(self) -> bool:
        """Whether the folder keeps CSV copies (:meth:`keep_csv_copies` marked it)."""
        return (self.folder / CSV_MARK).exists()

    def keep_csv_copies(self) -> None:
        """Mark the folder to keep CSV copies.

        Every experiment that adds runs to a marked folder writes them again before it lets the
        folder go (``run_experiment``, holding the folder's lock).

        Raises:
            FileExistsError: ``runs.csv`` or ``daily.csv`` is there but the folder was never
                marked: a file of the user's, not a copy, which is never replaced.
        """
        if not self.keeps_csv_copies():
            for path in self.csv_copies():
                raise FileExistsError(f"{path} is there and is not a CSV copy this tool wrote; "
                                      "move it, or use another output folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / CSV_MARK).touch()

    def remove_csv_copies(self) -> None:
        """Remove the CSV copies: a run about to be added would leave them out of date."""
        for path in self.csv_copies():
            path.unlink(missing_ok=True)

    def write_csv_copies(self) -> list[Path]:
        """Write ``runs.csv`` and ``daily.csv``: the folder's whole tables, as read back.

        The Parquet parts stay the source of truth; each copy holds every committed run (the
        earlier commands' too), in :meth:`read_runs` order, and is written to a temporary file
        and renamed, so a reader never sees half of one. A table with no rows has no copy.

        Returns:
            The copies written.
        """
        runs = self.read_runs()
        written = []
        for kind, table in (("runs", runs), ("daily", self.read_table("daily", runs))):
            path = self.folder / f"{kind}.csv"
            if table.empty:
                path.unlink(missing_ok=True)
                continue
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                table.to_csv(tmp, index=False)
                os.replace(tmp, path)
            except OSError as err:  # name the copy, not the temporary file beside it
                tmp.unlink(missing_ok=True)
                raise OSError(err.errno, err.strerror, str(path)) from None
            written.append(path)
        return written

    def _parts(self, kind: str) -> list[Path]:
        """The committed files of a table, each checked against its checksum."""
        batches = self.committed()
        if batches is None:  # a folder from before the log: every file, unchecked
            return sorted((self.folder / kind).glob("part-*.parquet"))
        parts = []
        for part, sums in sorted(batches.items()):
            if kind not in sums:
                continue
            path = self.folder / kind / part
            if not path.exists() or self._sha(path) != sums[kind]:
                why = "is missing" if not path.exists() else "changed after it was written"
                raise CorruptResultsError(
                    f"{path} {why}: the results of its runs cannot be trusted; run the command "
                    "that wrote this folder again: it sets the batch aside and re-runs them")
            parts.append(path)
        return parts

    def _read(self, kind: str) -> pd.DataFrame:
        parts = self._parts(kind)
        if not parts:
            return pd.DataFrame()
        df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        if kind == "runs":  # the first record of a task counts, a success before a failure
            if "status" in df:
                df = df.iloc[(df.status != "ok").to_numpy().argsort(kind="stable")]
            df = df.drop_duplicates("task", keep="first")
        order = self._scenario_order()
        if order and "scenario" in df:
            df["_order"] = df.scenario.map({n: i for i, n in enumerate(order)})
            within = {"daily": ["day"], "positions": ["position"],
                      "flows": ["provider", "customer"]}.get(kind, [])
            sort = ["_order", "replication", *within]
            df = df.sort_values(sort).drop(columns="_order")
        return df.reset_index(drop=True)

    def _scenario_order(self) -> list[str]:
        if not self.manifest_path.exists():
            return []
        return list(self.read_manifest().get("scenarios", {}))


def invoking_command() -> str:
    """The command line that started this experiment, or ``""`` when called from Python.

    Only the package's own command is recorded (``service-chain ...`` or ``python -m simulation
    ...``): a notebook kernel's or a script's argv would not re-create the run.
    """
    import shlex

    if not sys.argv or not sys.argv[0]:
        return ""
    program = Path(sys.argv[0])
    if program.name == "service-chain":
        head = "service-chain"
    elif program.name == "__main__.py" and program.parent.name == "simulation":
        head = "python -m simulation"
    else:
        return ""
    return " ".join([head, *(shlex.quote(a) for a in sys.argv[1:])])
