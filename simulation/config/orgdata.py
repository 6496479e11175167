"""Organizations described as data: teams inline in a scenario file, or an org chart export.

``Teams`` lists groups of identical positions and who relies on whom; ``OrgChart`` reads an org
chart CSV (employee id, name, role, department, manager id) and an internal-customer map CSV
(employee, relies on, need, how often). Errors name the file, the row and the column.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import sys
import warnings
from dataclasses import field, replace
from pathlib import Path
from typing import Annotated, Literal, Self

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from simulation.config.bounds import MAX_POSITIONS, Footprint
from simulation.config.building import (
    ROLE_BY_HEIGHT,
    add_dependency,
    add_position,
    check_exclusive,
    draw_skill,
)
from simulation.config.designs import OrgDesign, Probability, Rate, Skill
from simulation.core.requests import Need
from simulation.core.shifts import shift_calendar
from simulation.core.text import visible
from simulation.core.units import DAYS_PER_MONTH

_CONFIG = ConfigDict(extra="forbid")

FREQUENCIES = {
    "daily": 1.0,
    "weekly": 1.0 / 5.0,
    "monthly": 1.0 / DAYS_PER_MONTH,
    "quarterly": 1.0 / (3.0 * DAYS_PER_MONTH),
    "yearly": 1.0 / 250.0,
}
NEEDS = tuple(n.value for n in Need if n is not Need.SERVICE)


def parse_how_often(value: str | float) -> tuple[float, float]:
    """``(probability per request, scheduled requests per day)`` from a frequency.

    A number in [0, 1] is the share of the internal customer's requests that need the input; a
    word (daily, weekly, monthly, quarterly, yearly) schedules requests regardless of demand.

    Raises:
        ValueError: saying what is allowed.
    """
    if isinstance(value, bool):
        raise ValueError(_how_often_rule(value))
    if isinstance(value, int | float):
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(_how_often_rule(value))
        return float(value), 0.0
    text = str(value).strip().lower()
    if text in FREQUENCIES:
        return 0.0, FREQUENCIES[text]
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_how_often_rule(value)) from None
    return parse_how_often(number)


def _how_often_rule(value: object) -> str:
    return (f"how_often = {value!r} is not allowed: a probability in [0, 1] (share of requests) "
            f"or one of {', '.join(FREQUENCIES)}")


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True, config=_CONFIG)
class Team:
    """A group of identical positions."""

    name: Annotated[str, Field(min_length=1, description="Role of the team's members.")]
    size: Annotated[int, Field(ge=1, le=MAX_POSITIONS, description="Number of members.")] = 1
    level: Annotated[int, Field(ge=0, le=10, description=(
        "Hierarchy level, 0 = frontline."))] = 0
    department: Annotated[str, Field(description=(
        "Department; work crossing departments pays a handoff."))] = "organization"
    rate: Annotated[Rate, Field(description="Tasks per day per member.")] = 12.0
    skill: Annotated[Skill, Field(description="Mean skill (0 to 1).")] = 0.8
    customer_facing: Annotated[bool | None, Field(description=(
        "Whether members serve external customers (default: level 0)."))] = None
    demand: Annotated[float | None, Field(gt=0.0, allow_inf_nan=False, description=(
        "Each member's share of external demand, a relative weight (customer-facing teams "
        "only; when any team gives one, the others' members weigh 1 and each position gets "
        "exactly its share of requests; else customers choose positions at random)."))] = None
    hold: Annotated[float, Field(ge=0.0, allow_inf_nan=False, description=(
        "Mean days (exponential) a member's finished work then waits on others outside the "
        "chain (the customer, a vendor) before it is passed on; the member is free meanwhile."
    ))] = 0.0
    hold_cv: Annotated[float, Field(ge=1.0, le=100.0, description=(
        "Coefficient of variation of the hold: 1 exponential, more a two-phase "
        "hyperexponential (most waits short, a few very long)."))] = 1.0

    @model_validator(mode="after")
    def _demand(self) -> Self:
        facing = self.level == 0 if self.customer_facing is None else self.customer_facing
        if self.demand is not None and not facing:
            raise ValueError(f"demand = {self.demand!r} is not allowed on a team that does not "
                             "face customers")
        return self


@dataclass(frozen=True, config=_CONFIG)
class TeamDependency:
    """Members of ``customer`` rely on members of ``provider``."""

    customer: Annotated[str, Field(description="The internal customer team.")]
    provider: Annotated[str, Field(description="The provider team.")]
    need: Annotated[Literal["materials", "information", "instruction", "participation",
                            "assistance"], Field(description=(
        "What is needed: materials, information, instruction, participation or assistance."))
    ] = "information"
    how_often: Annotated[float | str, Field(description=(
        "A probability in [0, 1] (share of the customer's requests that need it) or daily, "
        "weekly, monthly, quarterly, yearly (scheduled requests)."))] = 1.0
    weight: Annotated[float, Field(gt=0.0, description=(
        "How much the input matters to the output quality."))] = 1.0
    work: Annotated[float, Field(gt=0.0, le=100.0, description=(
        "Work content of the provider's task, in units of one of its tasks."))] = 1.0
    members: Annotated[Literal["matched", "all"], Field(description=(
        "matched: member i relies on provider member i modulo the provider team's size; "
        "all: every member relies on every provider member."))] = "matched"
    exclusive: Annotated[bool, Field(description=(
        "One of the customer's alternatives: a request needs at most one of its exclusive "
        "inputs, chosen with their how_often probabilities (summing to at most 1): Markov "
        "routing."))] = False
    review: Annotated[bool, Field(description=(
        "A rework loop: the provider reviews the customer's finished work with probability "
        "how_often (below 1) and returns it for another pass, instead of supplying an input "
        "before the work."))] = False

    @model_validator(mode="after")
    def _frequency(self) -> Self:
        probability, _ = parse_how_often(self.how_often)
        if (self.exclusive or self.review) and not 0.0 < probability < 1.0 + self.exclusive:
            key = "exclusive" if self.exclusive else "review"
            raise ValueError(f"how_often = {self.how_often!r} is not allowed with {key} = true: "
                             "a probability in (0, 1" + ("]" if self.exclusive else ")"))
        if self.exclusive and self.review:
            raise ValueError("exclusive = true is not allowed with review = true: an exclusive "
                             "input comes before the work, a review after it")
        return self


@dataclass(frozen=True, config=_CONFIG)
class Teams(OrgDesign):
    """An organization written inline as teams and the dependencies between them."""

    teams: Annotated[list[Team], Field(min_length=1, description="The teams.")] = field(
        default_factory=lambda: [Team(name="frontline")])
    dependencies: Annotated[list[TeamDependency], Field(description=(
        "Who relies on whom."))] = field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Self:
        names = [t.name for t in self.teams]
        seen: set[str] = set()
        for i, t in enumerate(self.teams):
            if t.name in seen:
                raise ValueError(f"teams[{i}].name = {t.name!r} is not allowed: names must be "
                                 "unique")
            seen.add(t.name)
        for i, d in enumerate(self.dependencies):
            for key in ("customer", "provider"):
                value = getattr(d, key)
                if value not in seen:
                    raise ValueError(
                        f"dependencies[{i}].{key} = {value!r} is not allowed: no such team"
                        f"{_did_you_mean(value, names)} (teams: {', '.join(names)})")
            if d.customer == d.provider and self._team(d.customer).size < 2:
                raise ValueError(f"dependencies[{i}]: a one-person team cannot rely on itself")
        return self

    def footprint(self) -> Footprint:
        """The teams' members; those of customer-facing teams face customers."""
        facing = [t for t in self.teams
                  if (t.level == 0 if t.customer_facing is None else t.customer_facing)]
        return Footprint(sum(t.size for t in self.teams), sum(t.size for t in facing),
                         sum(t.size * t.rate for t in facing))

    def _team(self, name: str) -> Team:
        return next(t for t in self.teams if t.name == name)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """One position per team member; dependencies mapped member to member."""
        g = nx.MultiDiGraph(inverted=self.inverted, design="Teams")
        members: dict[str, list[int]] = {}
        node = 0
        for team in self.teams:
            members[team.name] = []
            facing = team.level == 0 if team.customer_facing is None else team.customer_facing
            for k in range(team.size):
                add_position(g, node, role=team.name, level=team.level,
                             department=team.department, skill=draw_skill(rng, team.skill),
                             rate=team.rate, customer_facing=facing, demand=team.demand,
                             hold=team.hold, hold_cv=team.hold_cv,
                             name=f"{team.name} {k + 1}" if team.size > 1 else team.name)
                members[team.name].append(node)
                node += 1
        for i, d in enumerate(self.dependencies):
            probability, per_day = parse_how_often(d.how_often)
            customers, providers = members[d.customer], members[d.provider]
            for k, c in enumerate(customers):
                if d.members == "all":
                    targets = [p for p in providers if p != c]
                else:
                    p = providers[k % len(providers)]
                    if p == c:
                        p = providers[(k + 1) % len(providers)]
                    targets = [p]
                for p in targets:
                    add_dependency(g, c, p, purpose=f"{d.need} {i}", need=Need(d.need),
                                   probability=probability, per_day=per_day, weight=d.weight,
                                   work=d.work, exclusive=d.exclusive, review=d.review)
        check_exclusive(g)
        return g


# --------------------------------------------------------------------------- org chart files


class OrgChartError(ValueError):
    """A problem in an org chart or internal-customer map file, naming the row and column."""


ORG_CHART_COLUMNS = ("employee_id", "name", "role", "department", "manager_id")
MAP_COLUMNS = ("employee", "relies_on", "need", "how_often")


class OrgDataWarning(UserWarning):
    """A column of an org data file the model does not read (it is ignored)."""


#: Optional columns each file may have besides the required ones.
ORG_CHART_OPTIONAL = ("skill", "rate", "customer_facing", "demand", "hold", "hold_cv",
                      "shift_start", "shift_end", "workdays")
MAP_OPTIONAL = ("weight", "work", "exclusive", "review")


def read_text(path: Path, what: str) -> str:
    """A CSV file's text exactly as stored (a byte-order mark kept), or OrgChartError."""
    if path.is_dir():
        raise OrgChartError(f"{path}: is a folder; the {what} is a CSV file")
    if not path.is_file():
        raise OrgChartError(f"{path}: {what} file not found")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise OrgChartError(f"{path}: not UTF-8 text (byte {err.start}); save the {what} as "
                            "UTF-8 CSV") from None
    except OSError as err:
        raise OrgChartError(f"{path}: cannot be read: {err.strerror or err}") from None


def _read_csv(path: Path, required: tuple[str, ...], what: str,
              optional: tuple[str, ...] = (), text: str | None = None) -> list[tuple[int, dict]]:
    """The rows of a CSV file with their line numbers; every row must have the header's fields.

    A column neither required nor optional is warned about (``OrgDataWarning``), with the
    closest known name. ``text``, when given, is the file's contents, read instead of the file
    (``path`` then only names it in messages).
    """
    text = read_text(path, what) if text is None else text
    return _rows(path, io.StringIO(text.removeprefix("\ufeff"), newline=""), required, what,
                 optional)


def _rows(path: Path, fh: io.StringIO, required: tuple[str, ...], what: str,
          optional: tuple[str, ...]) -> list[tuple[int, dict]]:
    reader = csv.DictReader(fh)
    try:
        return _checked_rows(path, reader, required, what, optional)
    except csv.Error as err:
        raise OrgChartError(f"{path}: row {reader.line_num + 1}: not readable as CSV ({err}; "
                            "an unclosed quote makes the rest of the file one field)") from None


def _checked_rows(path: Path, reader: csv.DictReader, required: tuple[str, ...], what: str,
                  optional: tuple[str, ...]) -> list[tuple[int, dict]]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise OrgChartError(f"{path}: the {what} is empty (expected a header row with "
                            f"{', '.join(required)})")
    missing = [c for c in required if c not in header]
    if missing:
        raise OrgChartError(f"{path}: row 1 (header): missing column {missing[0]!r}"
                            f"{_did_you_mean(missing[0], header)}; the {what} needs "
                            f"{', '.join(required)}")
    known = (*required, *optional)
    for column in header:
        if column and column not in known:
            warnings.warn(OrgDataWarning(
                f"{path}: column {column!r} is not one the model reads"
                f"{_did_you_mean(column, known)}; it is ignored (the {what} may have "
                f"{', '.join(known)})"), stacklevel=2)
    rows = []
    for line, raw in enumerate(reader, start=2):
        if None in raw:  # more fields than the header
            raise OrgChartError(f"{path}: row {line} has {len(header) + len(raw[None])} "
                                f"fields, the header {len(header)}")
        if any(v is None for v in raw.values()) and any(raw.values()):
            short = sum(v is not None for v in raw.values())
            raise OrgChartError(f"{path}: row {line} has {short} fields, the header "
                                f"{len(header)}: a row cut short?")
        row = {visible((k or "").strip()): visible((v or "").strip()) for k, v in raw.items() if k}
        if any(row.values()):
            rows.append((line, row))
    if not rows:
        raise OrgChartError(f"{path}: the {what} has a header but no rows")
    return rows


def _facing_guess(row: dict, managers: set[str]) -> bool:
    """Whether a row faces customers, as ``OrgChart.build`` will decide (no report: yes)."""
    flag = (row.get("customer_facing") or "").strip().lower()
    if flag in ("yes", "true", "1", "y"):
        return True
    if flag in ("no", "false", "0", "n"):
        return False
    return (row.get("employee_id") or "").strip() not in managers


@dataclass(frozen=True, config=_CONFIG)
class OrgChart(OrgDesign):
    """Your own organization from an org chart export and an internal-customer map (CSV).

    Levels come from the reporting lines (people with no reports are level 0, a manager is one
    above their highest report); people with no reports face customers unless the org chart has a
    ``customer_facing`` column. Optional columns: ``skill``, ``rate``, ``customer_facing``,
    ``demand`` (a customer-facing employee's share of external demand, a relative weight),
    ``hold`` and ``hold_cv`` (waiting on others after the work), ``shift_start``,
    ``shift_end`` and ``workdays`` (the working calendar, :mod:`simulation.core.shifts`).
    """

    org_chart: Annotated[str, Field(min_length=1, description=(
        "Path of the org chart CSV (columns employee_id, name, role, department, manager_id; "
        "optional skill, rate, customer_facing, demand, hold, hold_cv, and a working calendar: "
        "shift_start and shift_end, fractions of the working day, and workdays, a cycle of 0 "
        "and 1 from the run's first day such as 11110), relative to the scenario file."
    ))] = "org_chart.csv"
    internal_customers: Annotated[str | None, Field(description=(
        "Path of the internal-customer map CSV (columns employee, relies_on, need, how_often, "
        "optional weight, work, exclusive and review), relative to the scenario file."))] = None
    frontline_rate: Annotated[Rate, Field(description=(
        "Tasks per day of people with no reports, unless the file gives a rate."))] = 12.0
    manager_rate: Annotated[Rate, Field(description=(
        "Tasks per day of managers, unless the file gives a rate."))] = 20.0
    skill: Annotated[Skill, Field(description=(
        "Mean skill (0 to 1) unless the file gives one."))] = 0.8
    approval_prob: Annotated[Probability, Field(description=(
        "Share of each employee's work that needs their manager's approval."))] = 0.0
    org_chart_contents: Annotated[str | None, Field(description=(
        "The org chart CSV's text; when given it is read instead of the file. Experiments set "
        "it when they start, so that every run reads the same organization and a worker needs "
        "no access to the file."))] = None
    internal_customers_contents: Annotated[str | None, Field(description=(
        "The internal-customer map CSV's text, likewise."))] = None

    def with_contents(self) -> OrgChart:
        """A copy holding both files' texts, read now (unchanged if it holds them already)."""
        chart = self.org_chart_contents
        if chart is None:
            chart = read_text(Path(self.org_chart), "org chart")
        used = self.internal_customers_contents
        if used is None and self.internal_customers:
            used = read_text(Path(self.internal_customers), "internal-customer map")
        return replace(self, org_chart_contents=chart, internal_customers_contents=used)

    def facing_rule(self, graph: nx.MultiDiGraph) -> str:
        """Who serves external customers in the built ``graph``, and by which rule, in words."""
        text = self.org_chart_contents
        if text is None:
            text = read_text(Path(self.org_chart), "org chart")
        header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))), [])
        facing = [d for d in graph.nodes.values() if d["customer_facing"]]
        share = f"{len(facing)} of {graph.number_of_nodes()} employees"
        if "customer_facing" in [h.strip() for h in header]:
            return f"{share} serve external customers, as the customer_facing column says."
        return (f"{share} serve external customers: the org chart has no customer_facing "
                "column, so everyone without reports does. Add a customer_facing column "
                "(yes or no) to say who serves customers; a manager may, a back-office "
                "specialist may not.")

    def footprint(self) -> Footprint | None:
        """The org chart's rows (all of them counted as customer-facing, an upper bound)."""
        text = self.org_chart_contents
        if text is None:
            try:
                text = Path(self.org_chart).read_bytes().decode("utf-8", "replace")
            except OSError:
                return None  # building says what is wrong with the file
        try:
            table = [r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"),
                                                           newline="")) if any(r.values())]
            managers = {(r.get("manager_id") or "").strip() for r in table}
            facing = sum(1 for r in table if _facing_guess(r, managers))
        except (csv.Error, AttributeError):
            return None  # building says what is wrong with the file
        return Footprint(len(table), facing)

    def build(self, rng: np.random.Generator) -> nx.MultiDiGraph:
        """Read both files and return the graph (nodes labelled by employee id)."""
        chart = Path(self.org_chart)
        rows = _read_csv(chart, ORG_CHART_COLUMNS, "org chart", ORG_CHART_OPTIONAL,
                         self.org_chart_contents)
        people: dict[str, dict] = {}
        for line, row in rows:
            eid = row["employee_id"]
            if not eid:
                raise OrgChartError(f"{chart}: row {line}, column 'employee_id': empty")
            if eid in people:
                raise OrgChartError(f"{chart}: row {line}, column 'employee_id': {eid!r} appears "
                                    f"twice (first in row {people[eid]['line']})")
            people[eid] = {**row, "line": line}
        ids = list(people)
        for eid, p in people.items():
            boss = p["manager_id"]
            if boss and boss not in people:
                raise OrgChartError(f"{chart}: row {p['line']}, column 'manager_id': {boss!r} is "
                                    f"not an employee_id{_did_you_mean(boss, ids)}")
            if boss == eid:
                raise OrgChartError(f"{chart}: row {p['line']}, column 'manager_id': "
                                    f"{eid!r} is their own manager")
        levels = self._levels(chart, people)
        g = nx.MultiDiGraph(inverted=self.inverted, design="OrgChart")
        for eid, p in people.items():
            level = levels[eid]
            facing = self._flag(chart, p, "customer_facing", level == 0)
            add_position(
                g, eid, name=p["name"] or eid, role=p["role"] or ROLE_BY_HEIGHT[min(level, 4)],
                level=level, department=p["department"] or "organization",
                skill=self._number(chart, p, "skill", draw_skill(rng, self.skill), 0.0, 1.0),
                rate=self._number(chart, p, "rate",
                                  self.frontline_rate if level == 0 else self.manager_rate,
                                  0.0, float("inf")),
                customer_facing=facing, manager=p["manager_id"] or None,
                demand=(self._number(chart, p, "demand", 1.0, 0.0, sys.float_info.max)
                        if p.get("demand") else None),
                hold=(self._number(chart, p, "hold", 0.0, -1.0, sys.float_info.max)
                      if p.get("hold") else 0.0),
                hold_cv=self._number(chart, p, "hold_cv", 1.0, 0.0, 100.0),
                **self._shift(chart, p),
            )
            if g.nodes[eid]["hold_cv"] < 1.0:
                raise OrgChartError(f"{chart}: row {p['line']}, column 'hold_cv': "
                                    f"{p['hold_cv']!r} is not allowed: from 1 (exponential) to "
                                    "100")
            if g.nodes[eid]["hold"] < 0.0:
                raise OrgChartError(f"{chart}: row {p['line']}, column 'hold': "
                                    f"{p['hold']!r} is not allowed: days, 0 or more")
            if p.get("demand") and not facing:
                raise OrgChartError(f"{chart}: row {p['line']}, column 'demand': only a "
                                    "customer-facing employee receives external demand")
        if not any(d["customer_facing"] for d in g.nodes.values()):
            raise OrgChartError(f"{chart}: nobody faces customers (every row's customer_facing "
                                "is no); mark at least one employee customer_facing = yes")
        if self.approval_prob > 0:
            for eid, p in people.items():
                if p["manager_id"]:
                    add_dependency(g, eid, p["manager_id"], purpose="approval",
                                   need=Need.INSTRUCTION, probability=self.approval_prob,
                                   handoff=False)
        if self.internal_customers:
            self._add_map(Path(self.internal_customers), g, ids,
                          self.internal_customers_contents)
        try:
            check_exclusive(g)
        except ValueError as err:
            raise OrgChartError(f"{self.internal_customers}: {err}") from None
        return g

    @staticmethod
    def _levels(chart: Path, people: dict[str, dict]) -> dict[str, int]:
        """Levels from the reporting lines, however deep (no recursion), refusing a cycle."""
        state: dict[str, int] = {}  # 1: on the line being walked, 2: known to reach the top
        for start in people:  # walk up each reporting line: a repeat is a cycle
            line: list[str] = []
            eid = start
            while eid and eid not in state:
                state[eid] = 1
                line.append(eid)
                eid = people[eid]["manager_id"]
            if eid and state[eid] == 1:
                cycle = " -> ".join([*line[line.index(eid):], eid])
                raise OrgChartError(f"{chart}: row {people[start]['line']}, column "
                                    f"'manager_id': the reporting lines form a cycle ({cycle})")
            state.update(dict.fromkeys(line, 2))
        waiting = dict.fromkeys(people, 0)  # reports not yet given a level
        for p in people.values():
            if p["manager_id"]:
                waiting[p["manager_id"]] += 1
        levels = dict.fromkeys(people, 0)
        ready = [eid for eid, n in waiting.items() if n == 0]
        while ready:  # from those with no reports up: a manager is one above their highest
            eid = ready.pop()
            boss = people[eid]["manager_id"]
            if boss:
                levels[boss] = max(levels[boss], levels[eid] + 1)
                waiting[boss] -= 1
                if waiting[boss] == 0:
                    ready.append(boss)
        return levels

    @staticmethod
    def _number(path: Path, row: dict, column: str, default: float, low: float,
                high: float) -> float:
        text = row.get(column, "")
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            raise OrgChartError(f"{path}: row {row['line']}, column {column!r}: {text!r} is not "
                                "a number") from None
        if not (math.isfinite(value) and low < value <= high):
            bounded = high < sys.float_info.max
            raise OrgChartError(f"{path}: row {row['line']}, column {column!r}: {value} is not "
                                f"allowed: {'' if bounded else 'a finite number '}more than "
                                f"{low:g}" + (f" and at most {high:g}" if bounded else ""))
        return value

    @classmethod
    def _shift(cls, path: Path, row: dict) -> dict:
        """A row's working calendar (``shift_start``, ``shift_end``, ``workdays``), checked."""
        big = sys.float_info.max
        start = cls._number(path, row, "shift_start", 0.0, -big, big)
        end = cls._number(path, row, "shift_end", 1.0, -big, big)
        days = row.get("workdays", "")
        try:
            shift_calendar(start, end, days)
        except ValueError as err:
            column = ("workdays" if "workdays" in str(err) else "shift_start"
                      if not 0.0 <= start < 1.0 else "shift_end")
            raise OrgChartError(f"{path}: row {row['line']}, column {column!r}: {err}") from None
        return {"shift_start": start, "shift_end": end, "workdays": days}

    @staticmethod
    def _flag(path: Path, row: dict, column: str, default: bool) -> bool:
        text = row.get(column, "").lower()
        if not text:
            return default
        if text in ("yes", "true", "1", "y"):
            return True
        if text in ("no", "false", "0", "n"):
            return False
        raise OrgChartError(f"{path}: row {row['line']}, column {column!r}: {text!r} is not "
                            "yes or no")

    @staticmethod
    def _add_map(path: Path, g: nx.MultiDiGraph, ids: list[str], text: str | None) -> None:
        rows = _read_csv(path, MAP_COLUMNS, "internal-customer map", MAP_OPTIONAL, text)
        seen: dict[tuple[str, str, str, bool], int] = {}
        for line, row in rows:
            for column in ("employee", "relies_on"):
                if row[column] not in g:
                    raise OrgChartError(
                        f"{path}: row {line}, column {column!r}: {row[column]!r} is not in the "
                        f"org chart{_did_you_mean(row[column], ids)}")
            if row["employee"] == row["relies_on"]:
                raise OrgChartError(f"{path}: row {line}, column 'relies_on': an employee cannot "
                                    "rely on themselves")
            need = row["need"].lower()
            if need not in NEEDS:
                raise OrgChartError(f"{path}: row {line}, column 'need': {row['need']!r} is not "
                                    f"one of {', '.join(NEEDS)}{_did_you_mean(need, NEEDS)}")
            try:
                probability, per_day = parse_how_often(row["how_often"])
            except ValueError as err:
                raise OrgChartError(f"{path}: row {line}, column 'how_often': {err}") from None
            key = (row["employee"], row["relies_on"], need, per_day > 0)
            if key in seen:
                raise OrgChartError(
                    f"{path}: row {line} repeats row {seen[key]} ({row['employee']} relies on "
                    f"{row['relies_on']} for {need}, {'scheduled' if per_day else 'per request'}"
                    "): two rows would double the dependency; keep one")
            seen[key] = line
            weight = OrgChart._number(path, {**row, "line": line}, "weight", 1.0, 0.0,
                                      float("inf"))
            work = OrgChart._number(path, {**row, "line": line}, "work", 1.0, 0.0, 100.0)
            exclusive = OrgChart._flag(path, {**row, "line": line}, "exclusive", False)
            review = OrgChart._flag(path, {**row, "line": line}, "review", False)
            if (exclusive or review) and not 0.0 < probability < 1.0 + exclusive:
                raise OrgChartError(
                    f"{path}: row {line}, column 'how_often': {row['how_often']!r} is not "
                    f"allowed for {'an exclusive input' if exclusive else 'a review'}: a "
                    f"probability in (0, 1{']' if exclusive else ')'}")
            if exclusive and review:
                raise OrgChartError(f"{path}: row {line}, column 'review': an exclusive input "
                                    "comes before the work, a review after it (not both)")
            add_dependency(g, row["employee"], row["relies_on"], purpose=f"{need} row {line}",
                           need=Need(need), probability=probability, per_day=per_day,
                           weight=weight, work=work, exclusive=exclusive, review=review)
