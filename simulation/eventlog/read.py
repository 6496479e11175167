"""Event logs in: CSV (plain or gzip) and XES (IEEE 1849), with a column map and a state map.

Every log becomes one table of state changes, :class:`EventLog`: for each case, in order, when it
changed, into which kind of state (:class:`~simulation.eventlog.states.Kind`), and which team and
person hold it from then on. Three shapes of log are read:

- **state changes** (a ticketing system's audit trail): one timestamp per row, the state after it;
- **lifecycle events** (XES ``lifecycle:transition``, or a column of start/complete words): a
  start means the work began, a complete that it waits for the next activity or is done;
- **activity instances** with a start and a complete time column on each row.

Errors name the file and the row (or the XES event) and say what is allowed.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.core.text import visible
from simulation.eventlog.states import Kind, normal, state_map


class LogError(ValueError):
    """A log (or its column or state map) that cannot be read: the message names file and row."""


#: The roles a column can play.
ROLES = ("case", "time", "state", "team", "resource", "start", "complete", "lifecycle", "order",
         "case_start", "need")
#: What an internal customer can need of a position (``simulation.core.requests.Need``, less a
#: customer's own request): the kinds a need column's values are mapped to.
NEED_KINDS = ("materials", "information", "instruction", "participation", "assistance")

#: Header names recognised for each role when no map names the column (compared lower case).
SYNONYMS = {
    "case": ("case", "case_id", "caseid", "case:concept:name", "ticket", "ticket_id", "number",
             "incident", "issue", "issue_key", "key"),
    "time": ("timestamp", "time", "time:timestamp", "sys_updated_at", "updated", "updated_at",
             "event_time", "datetime", "date"),
    "state": ("state", "status", "activity", "concept:name", "incident_state", "event",
              "activity_name"),
    "team": ("team", "group", "org:group", "assignment_group", "department", "queue"),
    "resource": ("resource", "org:resource", "assigned_to", "assignee", "user", "agent",
                 "person"),
    "start": ("start", "start_time", "start_timestamp", "started", "start:timestamp"),
    "complete": ("complete", "end", "end_time", "end_timestamp", "completed", "complete_time",
                 "complete_timestamp"),
    "lifecycle": ("lifecycle", "lifecycle:transition", "transition"),
    "order": ("sys_mod_count", "sequence", "seq", "event_order"),
    "case_start": ("opened_at", "created", "created_at", "case_start"),
    "need": ("need", "need_kind"),
}

#: Column maps of common exports (a ServiceNow incident audit trail as the UCI log has it).
PRESET_COLUMNS = {
    "servicenow": {"case": "number", "time": "sys_updated_at", "state": "incident_state",
                   "team": "assignment_group", "resource": "assigned_to",
                   "order": "sys_mod_count", "case_start": "opened_at"},
    "xes": {"case": "case:concept:name", "time": "time:timestamp", "state": "concept:name",
            "team": "org:group", "resource": "org:resource", "lifecycle": "lifecycle:transition"},
}

#: The command line's flag for each role where it differs from the role's name.
FLAGS = {"state": "status", "case_start": "case-start"}

#: Time formats tried, in order, when none is given (day-first and month-first both tried).
TIME_FORMATS = ("ISO8601", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                "%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d-%m-%Y %H:%M",
                "%d-%m-%Y %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")

_LIFECYCLE = {"start": Kind.WORKING, "resume": Kind.WORKING, "schedule": Kind.QUEUED,
              "assign": Kind.QUEUED, "reassign": Kind.QUEUED, "suspend": Kind.WAITING,
              "complete": Kind.QUEUED, "autoskip": Kind.IGNORE, "manualskip": Kind.IGNORE,
              "withdraw": Kind.IGNORE, "ate_abort": Kind.IGNORE, "pi_abort": Kind.IGNORE}


@dataclass(frozen=True)
class LogFormat:
    """How to read a log: which column plays which role, what its states mean, its time format.

    Attributes:
        columns: Role (one of ``ROLES``) to column name; roles left out are recognised by name.
        states: State (or activity) names to kinds, over the preset's.
        preset: A system whose column and state names to start from (servicenow, jira,
            generic, xes), or None to recognise the columns by name.
        time_format: A ``strftime`` format, or None to recognise the format.
        missing: Values that mean "not known" in the team and resource columns.
        out_of_order: ``error`` (a time before the previous event of its case, in the order
            column's order, is refused) or ``clamp`` (such a time is taken as the previous one).
        needs: Values of the need column to need kinds (:data:`NEED_KINDS`); the kinds' own
            names are always understood.
    """

    columns: dict[str, str] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    time_format: str | None = None
    missing: tuple[str, ...] = ("", "?", "nan", "NaN", "null", "NULL", "None")
    out_of_order: str = "error"
    needs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for role in self.columns:
            if role not in ROLES:
                raise LogError(f"column role {role!r} is not known{_close(role, ROLES)}: one of "
                               f"{', '.join(ROLES)}")
        if self.out_of_order not in ("error", "clamp"):
            raise LogError(f"out_of_order = {self.out_of_order!r} is not allowed: error or clamp")
        if self.preset is not None and self.preset not in ("servicenow", "jira", "generic",
                                                           "xes"):
            raise LogError(f"preset {self.preset!r} is not known: servicenow, jira, generic or "
                           "xes")

    def need_kinds(self) -> dict[str, str]:
        """The need map: each kind's own name, with this format's entries over it."""
        mapping = {k: k for k in NEED_KINDS} | {"service": ""}  # a customer's own request
        for value, kind in self.needs.items():
            if normal(kind) not in NEED_KINDS:
                raise LogError(f"need {value!r} = {kind!r} is not allowed: one of "
                               f"{', '.join(NEED_KINDS)}")
            mapping[normal(value)] = normal(kind)
        return mapping

    def state_kinds(self) -> dict[str, Kind]:
        """The state map: the preset's (generic when none) with this format's entries over it."""
        preset = {"xes": "generic", None: "generic"}.get(self.preset, self.preset)
        try:
            return state_map(preset, self.states)
        except ValueError as err:
            raise LogError(str(err)) from None

    def with_preset(self, preset: str) -> LogFormat:
        """This format read as ``preset`` (its columns are used where the log has them)."""
        return replace(self, preset=preset,
                       out_of_order="clamp" if preset == "servicenow" and
                       self.out_of_order == "error" else self.out_of_order)


_FORMAT_KEYS = {f.name for f in fields(LogFormat)}


def read_format(path: str | Path) -> LogFormat:
    """A log format from a small TOML mapping file.

    ``preset``, ``time_format``, ``missing``, ``out_of_order`` at the top; ``[columns]`` (role =
    column name) and ``[states]`` (state name = kind).

    Raises:
        LogError: naming the file and the key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise LogError(f"{path}: mapping file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LogError(f"{path}: cannot be read as UTF-8 text ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise LogError(f"{path}: not valid TOML ({err})") from None
    for key, value in data.items():
        if key not in _FORMAT_KEYS:
            raise LogError(f"{path}: key {key!r} is not known{_close(key, _FORMAT_KEYS)}: "
                           f"one of {', '.join(sorted(_FORMAT_KEYS))}")
        if key in ("columns", "states", "needs") and not (
                isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            example = {"columns": 'case = "ticket_id"', "needs": '"Access request" = '
                       '"assistance"'}.get(key, '"Waiting for customer" = "waiting"')
            raise LogError(f"{path}: [{key}] must be a table of names, e.g. {example}")
    if "missing" in data:
        if not (isinstance(data["missing"], list)
                and all(isinstance(v, str) for v in data["missing"])):
            raise LogError(f"{path}: missing must be a list of strings")
        data["missing"] = tuple(data["missing"])
    for key in ("preset", "time_format", "out_of_order"):
        if key in data and not isinstance(data[key], str):
            raise LogError(f"{path}: {key} must be a string")
    try:
        found = LogFormat(**data)
        found.state_kinds()
        found.need_kinds()
    except LogError as err:
        raise LogError(f"{path}: {err}") from None
    return found


@dataclass(frozen=True)
class EventLog:
    """A log as state changes, in each case's order.

    Attributes:
        events: One row per change: ``case``, ``time`` (naive datetime), ``kind`` (a ``Kind``
            value), ``state`` (the log's own name), ``team``, ``resource`` ("" when not known),
            ``row`` (where it came from, for messages), ``need`` (a need kind, "" when the log
            does not say).
        case_start: When each case was opened, where the log says (else its first event).
        source: The file read.
        row_word: What ``row`` counts: "row" (CSV lines) or "event" (XES events).
        preset: The preset the columns were read with, if any.
        timed_work: Whether work has its own start and complete events (lifecycle or start and
            complete columns), so time working is effort, not a state's elapsed time.
    """

    events: pd.DataFrame
    case_start: pd.Series
    source: str
    row_word: str = "row"
    preset: str | None = None
    timed_work: bool = False

    @property
    def cases(self) -> int:
        """Number of cases."""
        return int(self.events["case"].nunique())

    def where(self, row: int) -> str:
        """``file: row N`` for messages."""
        return f"{self.source}: {self.row_word} {row}"

    def between(self, start: pd.Timestamp, end: pd.Timestamp) -> EventLog:
        """The cases that start in ``[start, end)`` (whole cases, all their events)."""
        first = self.case_start
        keep = first.index[(first >= start) & (first < end)]
        events = self.events[self.events["case"].isin(keep)]
        return replace(self, events=events.reset_index(drop=True), case_start=first.loc[keep])


def from_frame(frame: pd.DataFrame, source: str = "<simulated>") -> EventLog:
    """A log already in the model's own words, as :func:`.write.simulated_log` makes it.

    Columns ``case``, ``timestamp``, ``state`` (a kind), ``team``, ``resource``.
    """
    events = frame.rename(columns={"timestamp": "time"}).copy()
    events["kind"] = events["state"]
    events["row"] = np.arange(2, len(events) + 2)
    events = events.sort_values(["case", "time"], kind="stable").reset_index(drop=True)
    first = events.groupby("case", sort=False)["time"].min().sort_index()
    if "need" not in events:
        events["need"] = ""
    return EventLog(events[["case", "time", "kind", "state", "team", "resource", "row", "need"]],
                    first,
                    source, "row", None, True)


def read_log(path: str | Path, log_format: LogFormat | None = None) -> EventLog:
    """Read a CSV or XES log (``.gz`` too) into an :class:`EventLog`.

    Raises:
        LogError: naming the file, the row or the column, and what is allowed.
    """
    path = Path(path)
    log_format = log_format or LogFormat()
    if path.is_dir():
        raise LogError(f"{path}: is a folder; the log is a CSV or XES file")
    if not path.is_file():
        raise LogError(f"{path}: log file not found")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] in (['.xes', '.gz'],) or suffixes[-1:] == ['.xes']:
        if log_format.preset is None:
            log_format = log_format.with_preset("xes")
        table, word = _xes_table(path), "event"
    else:
        table, word = _csv_table(path), "row"
    if log_format.preset is None and all(
            c in table.columns for c in PRESET_COLUMNS["servicenow"].values()):  # recognised
        log_format = log_format.with_preset("servicenow")
    columns = _columns(path, table, log_format)
    if log_format.needs and "need" not in columns:
        raise LogError(f"{path}: a need map is given but the log has no need column; name it "
                       "with --need COLUMN (or [columns] need = ...)")
    return _normalise(path, table, columns, log_format, word)


# --------------------------------------------------------------------------- raw tables


def _check_fields(path: Path) -> None:
    """Every row has the header's number of fields (pandas would shift or drop them silently)."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        for row, fields in enumerate(reader, start=2):
            if fields and len(fields) != len(header):
                raise LogError(f"{path}: row {row} has {len(fields)} fields, the header "
                               f"{len(header)}" + (": a row cut short?" if len(fields) <
                                                   len(header) else ""))


def _csv_table(path: Path) -> pd.DataFrame:
    try:
        _check_fields(path)
        table = pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer",
                            skipinitialspace=True, encoding="utf-8-sig", index_col=False)
    except pd.errors.EmptyDataError:
        raise LogError(f"{path}: the log is empty (expected a header row and events)") from None
    except UnicodeDecodeError as err:
        raise LogError(f"{path}: not UTF-8 text (byte {err.start}); save the log as UTF-8 "
                       "CSV") from None
    except (pd.errors.ParserError, csv.Error) as err:
        raise LogError(f"{path}: not readable as CSV: {_first_line(err)}") from None
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise LogError(f"{path}: cannot be read: {err}") from None
    table.columns = [visible(str(c).strip()) for c in table.columns]
    if table.empty:
        raise LogError(f"{path}: the log has a header but no events")
    table["__row__"] = np.arange(2, len(table) + 2)
    return table


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _xes_table(path: Path) -> pd.DataFrame:
    """One row per XES event: its attributes, with its trace's as ``case:<key>``."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    rows: list[dict[str, str]] = []
    trace: dict[str, str] = {}
    current: dict[str, str] | None = None
    stack: list[str] = []
    traces = 0
    try:
        with opener(path, "rb") as fh:
            for action, elem in ET.iterparse(fh, events=("start", "end")):
                tag = elem.tag.rpartition("}")[2]
                if action == "start":
                    stack.append(tag)
                    if tag == "trace":
                        trace, traces = {}, traces + 1
                    elif tag == "event":
                        current = {}
                    continue
                stack.pop()
                parent = stack[-1] if stack else ""
                key, value = elem.get("key"), elem.get("value")
                if tag == "event":
                    if current is not None:
                        rows.append(current)
                        current["__trace__"] = str(traces)
                    current = None
                elif tag == "trace":
                    for row in rows[len(rows) - _pending(rows, traces):]:
                        row.update({k: v for k, v in trace.items() if k not in row})
                    elem.clear()
                elif key is not None and value is not None:
                    if parent == "event" and current is not None:
                        current[key] = value
                    elif parent == "trace":
                        trace[f"case:{key}"] = value
    except ET.ParseError as err:
        raise LogError(f"{path}: not readable as XES (XML error at line {err.position[0]}, "
                       f"column {err.position[1]})") from None
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise LogError(f"{path}: cannot be read: {err}") from None
    if not rows:
        raise LogError(f"{path}: the log has no events (no <trace> with <event>s)")
    table = pd.DataFrame(rows).drop(columns="__trace__").fillna("")
    table.columns = [visible(c) for c in table.columns]
    table["__row__"] = np.arange(1, len(table) + 1)
    return table


def _pending(rows: list[dict[str, str]], trace: int) -> int:
    """How many of the last rows belong to the trace just closed."""
    mark, n = str(trace), 0
    for row in reversed(rows):
        if row.get("__trace__") != mark:
            break
        n += 1
    return n


# --------------------------------------------------------------------------- columns


def _close(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _columns(path: Path, table: pd.DataFrame, log_format: LogFormat) -> dict[str, str]:
    """Role to column: the map's, else a recognised header name; checked against the header."""
    header = [c for c in table.columns if c != "__row__"]
    lower = {c.lower(): c for c in header}
    columns: dict[str, str] = {}
    preset = PRESET_COLUMNS.get(log_format.preset or "", {})
    for role in ROLES:
        if role not in log_format.columns and preset.get(role) in header:
            columns[role] = preset[role]
            continue
        if role in log_format.columns:
            name = log_format.columns[role]
            if name not in header:
                raise LogError(f"{path}: row 1 (header): no column {name!r} for the {role}"
                               f"{_close(name, header)}; the columns are "
                               f"{', '.join(map(repr, header[:20]))}")
            columns[role] = name
            continue
        for synonym in SYNONYMS[role]:
            if synonym in lower and lower[synonym] not in columns.values():
                columns[role] = lower[synonym]
                break
    needs = {"case": "the case id", "state": "the state or activity"}
    for role, what in needs.items():
        if role not in columns:
            raise LogError(f"{path}: row 1 (header): no column for {what}; name it with "
                           f"--{FLAGS.get(role, role)} COLUMN (the columns are "
                           f"{', '.join(map(repr, header[:20]))})")
    if "time" not in columns and not ("start" in columns or "complete" in columns):
        raise LogError(f"{path}: row 1 (header): no timestamp column; name it with --time "
                       f"COLUMN (or --start and --complete; the columns are "
                       f"{', '.join(map(repr, header[:20]))})")
    if "team" not in columns and "resource" not in columns:
        raise LogError(f"{path}: row 1 (header): no team or resource column (who holds the "
                       "case); name one with --team COLUMN or --resource COLUMN")
    return columns


# --------------------------------------------------------------------------- normalising


def parse_times(values: pd.Series, rows: np.ndarray, fmt: str | None, where: str,
                word: str) -> tuple[pd.Series, str]:
    """Timestamps from text, with the format used; refuses a value that does not parse.

    Without ``fmt``, each of ``TIME_FORMATS`` is tried; one that parses every value wins, and two
    (day first and month first) that both do are refused as ambiguous. A time is the wall-clock
    time written: an offset (``+01:00``, ``Z``) is dropped, not converted, so working hours stay
    the organization's own (a log in UTC with offsets would otherwise move them).
    """
    text = values.astype(str).str.strip()
    blank = text == ""
    if blank.any():
        i = int(np.argmax(blank.to_numpy()))
        raise LogError(f"{where}: {word} {rows[i]}: no timestamp")
    if fmt is None or "%z" not in fmt:
        text = text.str.replace(_OFFSET, r"\1", regex=True)
    codes, uniques = pd.factorize(text)  # timestamps repeat: parse each once
    uniques = pd.Series(uniques)
    candidates = (fmt,) if fmt else TIME_FORMATS
    sample = uniques.iloc[:200]
    best, best_bad, winners = None, None, []
    for candidate in candidates:
        if not fmt and _to_datetime(sample, candidate).isna().any():
            if best is None:
                best, best_bad = candidate, _to_datetime(uniques, candidate).isna().to_numpy()
            continue
        parsed = _to_datetime(uniques, candidate)
        bad = parsed.isna().to_numpy()
        if not bad.any():
            winners.append((candidate, parsed))
            if candidate == "ISO8601":
                break
        elif best_bad is None or bad.sum() < best_bad.sum():
            best, best_bad = candidate, bad
    if not winners:
        first = int(np.argmax(best_bad))
        i = int(np.argmax(codes == first))
        hint = (f"not in the format {fmt!r}" if fmt else
                "not a time in any format known (give one with --time-format, e.g. "
                "'%d/%m/%Y %H:%M')")
        raise LogError(f"{where}: {word} {rows[i]}: time {text.iloc[i]!r} is {hint}")
    if len(winners) > 1:
        day = [w for w in winners if w[0].startswith("%d")]
        month = [w for w in winners if w[0].startswith("%m")]
        if day and month and not day[0][1].equals(month[0][1]):
            raise LogError(f"{where}: every time reads both day first and month first (e.g. "
                           f"{text.iloc[0]!r}); say which with --time-format "
                           f"'{day[0][0]}' or '{month[0][0]}'")
    chosen, parsed = winners[0]
    out = pd.Series(parsed.to_numpy()[codes], index=values.index)
    bad = ((out < _EARLIEST) | (out > _LATEST)).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise LogError(f"{where}: {word} {rows[i]}: time {text.iloc[i]!r} is outside the years "
                       "1678 to 2261 that the clock can hold")
    return out.astype("datetime64[ns]"), chosen


#: A time of day followed by a time-zone offset (``Z``, ``+01:00``, ``-0800``, ``+01``).
_OFFSET = r"(\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_EARLIEST, _LATEST = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=text.index)
    if getattr(parsed.dt, "tz", None) is not None:  # a %z format: its wall-clock time
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _visible(values: pd.Series) -> pd.Series:
    """``visible`` on each distinct value once."""
    codes, uniques = pd.factorize(values)
    shown = np.array([visible(u) for u in uniques], dtype=object)
    return pd.Series(shown[codes] if len(shown) else values.to_numpy(), index=values.index)


def _normalise(path: Path, table: pd.DataFrame, columns: dict[str, str],
               log_format: LogFormat, word: str) -> EventLog:
    where = str(path)
    rows = table["__row__"].to_numpy()
    missing = set(log_format.missing)

    def text_of(role: str) -> pd.Series:
        if role not in columns:
            return pd.Series("", index=table.index)
        values = table[columns[role]].astype(str).str.strip()
        return _visible(values.where(~values.isin(missing), ""))

    case = _visible(table[columns["case"]].astype(str).str.strip())
    empty = (case == "").to_numpy()
    if empty.any():
        raise LogError(f"{where}: {word} {rows[int(np.argmax(empty))]}: no case id in column "
                       f"{columns['case']!r}")
    if "start" in columns and "complete" in columns:
        return _instances(path, table, columns, log_format, word, case, text_of)
    time, _ = parse_times(table[columns["time"]], rows, log_format.time_format, where, word)
    state = table[columns["state"]].astype(str).str.strip()
    events = pd.DataFrame({"case": case.to_numpy(), "time": time.to_numpy(),
                           "state": _visible(state).to_numpy(),
                           "team": text_of("team").to_numpy(),
                           "resource": text_of("resource").to_numpy(), "row": rows,
                           "need": _needs(text_of("need"), log_format, rows, where, word,
                                          columns.get("need"))})
    if "lifecycle" in columns:
        events["transition"] = table[columns["lifecycle"]].astype(str).str.strip().str.lower()
    if "order" in columns:
        order = pd.to_numeric(table[columns["order"]], errors="coerce")
        bad = order.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise LogError(f"{where}: {word} {rows[i]}: order {table[columns['order']].iloc[i]!r} "
                           f"in column {columns['order']!r} is not a number")
        events["order"] = order.to_numpy()
        events = events.sort_values(["case", "order", "time"], kind="stable")
        events = _in_order(events, log_format.out_of_order, where, word)
    else:
        events = events.sort_values(["case", "time"], kind="stable")
    events = events.reset_index(drop=True)
    kinds = (_lifecycle_kinds(events) if "transition" in events
             else _state_kinds(events, log_format.state_kinds(), where, word))
    events["kind"] = kinds
    events = events[events["kind"] != Kind.IGNORE.value]
    return _finish(path, events, table, columns, log_format, word, case)


def _in_order(events: pd.DataFrame, policy: str, where: str, word: str) -> pd.DataFrame:
    """Times in the order column's order: a step back is refused or clamped."""
    earlier = events.groupby("case", sort=False)["time"].cummax()
    back = (events["time"] < earlier).to_numpy()
    if back.any() and policy == "error":
        i = int(np.argmax(back))
        row = events.iloc[i]
        raise LogError(f"{where}: {word} {row['row']}: time {row['time']} of case "
                       f"{row['case']!r} is before an earlier event of the case (order "
                       f"{row['order']:g}); fix the row or read with out_of_order = \"clamp\" "
                       "(--clamp-times)")
    events["time"] = earlier
    return events


def _state_kinds(events: pd.DataFrame, mapping: dict[str, Kind], where: str,
                 word: str) -> np.ndarray:
    codes, uniques = pd.factorize(events["state"])
    table = np.array([mapping[normal(u)].value if normal(u) in mapping else ""
                      for u in uniques], dtype=object)
    kinds = pd.Series(table[codes], index=events.index)
    unknown = (kinds == "").to_numpy()
    if unknown.any():
        first = events[unknown].drop_duplicates("state")
        listed = "; ".join(f"{s!r} ({word} {r})" for s, r in
                           zip(first["state"].head(6), first["row"].head(6), strict=True))
        raise LogError(f"{where}: {word} {first['row'].iloc[0]}: state {first['state'].iloc[0]!r}"
                       f" is not mapped to a kind; unmapped: {listed}. Map each with --map-state "
                       "'NAME=KIND' or a [states] table in a mapping file; the kinds are "
                       "queued, working, waiting, done, ignore")
    return kinds.to_numpy()


def _lifecycle_kinds(events: pd.DataFrame) -> np.ndarray:
    """Start: working; complete: queued for the next activity (its team), or done if last."""
    transition = events["transition"]
    kinds = transition.map(lambda t: _LIFECYCLE.get(t, Kind.IGNORE).value).to_numpy().copy()
    last = (events["case"] != events["case"].shift(-1)).to_numpy()
    complete = (transition == "complete").to_numpy()
    kinds[complete & last] = Kind.DONE.value
    nxt = complete & ~last  # the wait after a complete belongs to whoever does the next activity
    for column in ("team", "resource"):
        values = events[column].to_numpy().copy()
        following = np.roll(values, -1)
        values[nxt] = following[nxt]
        events[column] = values
    return kinds


def _instances(path: Path, table: pd.DataFrame, columns: dict[str, str],
               log_format: LogFormat, word: str, case: pd.Series, text_of) -> EventLog:
    """Rows with a start and a complete time: two lifecycle events each."""
    where = str(path)
    rows = table["__row__"].to_numpy()
    start, _ = parse_times(table[columns["start"]], rows, log_format.time_format, where, word)
    end, _ = parse_times(table[columns["complete"]], rows, log_format.time_format, where, word)
    back = (end < start).to_numpy()
    if back.any():
        i = int(np.argmax(back))
        raise LogError(f"{where}: {word} {rows[i]}: completes ({end.iloc[i]}) before it starts "
                       f"({start.iloc[i]})")
    base = {"case": case.to_numpy(),
            "state": _visible(table[columns["state"]].astype(str).str.strip()).to_numpy(),
            "team": text_of("team").to_numpy(),
            "resource": text_of("resource").to_numpy(), "row": rows,
            "need": _needs(text_of("need"), log_format, rows, where, word, columns.get("need"))}
    both = pd.concat([pd.DataFrame({**base, "time": start.to_numpy(), "transition": "start",
                                    "seq": 0}),
                      pd.DataFrame({**base, "time": end.to_numpy(), "transition": "complete",
                                    "seq": 1})])
    both = both.sort_values(["case", "time", "seq"], kind="stable").reset_index(drop=True)
    both["kind"] = _lifecycle_kinds(both)
    both = both[both["kind"] != Kind.IGNORE.value].drop(columns=["seq", "transition"])
    return _finish(path, both, table, columns, log_format, word, case)


def _needs(values: pd.Series, log_format: LogFormat, rows: np.ndarray, where: str, word: str,
           column: str | None) -> np.ndarray:
    """Each row's need kind ("" where the column is missing or empty).

    Raises:
        LogError: naming the first row whose value the need map does not know.
    """
    if column is None:
        return np.full(len(values), "", dtype=object)
    try:
        mapping = log_format.need_kinds()
    except LogError as err:
        raise LogError(f"{where}: {err}") from None
    keys = values.map(normal)
    known = keys.map(mapping)
    bad = ((keys != "") & known.isna()).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise LogError(f"{where}: {word} {rows[i]}: need {values.iloc[i]!r} in column {column!r} "
                       f"is not known: map it to one of {', '.join(NEED_KINDS)} (--map-need "
                       "'VALUE=KIND' or [needs] in the mapping file)")
    return known.fillna("").to_numpy(dtype=object)


def _finish(path: Path, events: pd.DataFrame, table: pd.DataFrame, columns: dict[str, str],
            log_format: LogFormat, word: str, case: pd.Series) -> EventLog:
    where = str(path)
    if events.empty:
        raise LogError(f"{where}: every event is ignored by the state map; nothing is left")
    events = events.reset_index(drop=True)
    first = events.groupby("case", sort=False)["time"].min()
    if "case_start" in columns:
        rows = table["__row__"].to_numpy()
        opened, _ = parse_times(table[columns["case_start"]], rows, log_format.time_format, where,
                                word)
        opened = pd.Series(opened.to_numpy(), index=case.to_numpy()).groupby(level=0).min()
        first = pd.concat([first, opened.reindex(first.index)], axis=1).min(axis=1)
    counts = events.groupby("case", sort=False).size()
    if (counts < 2).all():
        raise LogError(f"{where}: {word} {events['row'].iloc[0]}: every case has a single event "
                       f"(case {events['case'].iloc[0]!r}); a log needs cases with two or more "
                       "events to show how long anything took")
    keep = [c for c in ("case", "time", "kind", "state", "team", "resource", "row", "need")]
    timed = "start" in columns or ("transition" in events
                                   and bool((events["transition"] == "start").any()))
    return EventLog(events[keep], first.sort_index(), where, word, log_format.preset, timed)
