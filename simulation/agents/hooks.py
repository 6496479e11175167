"""The table of hooks: every method of the agents, what it decides, and what overriding it costs.

One row per method of :class:`~simulation.agents.employee.Employee`,
:class:`~simulation.agents.customer.Customer` and :class:`~simulation.agents.employee.Vacancy`.
The compiled engine's gate (:func:`simulation.compiled.gate.why_not_compiled`), the model's
choice of array passes, the "Hooks" section of each class's docstring and the README's table are
all read from here; ``tests/test_hooks.py`` fails when a method has no row, and checks each
row's claim by overriding the method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """When a method runs."""

    WITHIN_DAY = "within the day"  #: as work flows, in continuous time
    DAILY = "daily"  #: once a day, after the day's work
    MECHANICS = "mechanics"  #: bookkeeping of the single server: not meant for overriding


class Override(StrEnum):
    """What overriding a method in a subclass does to how the model runs."""

    PYTHON_PATH = "runs the day's work on the Python path"
    PER_AGENT = "keeps the compiled engine; the daily pass calls each agent's methods"
    NOT_REPLACEABLE = "not replaceable (the model has no class parameter for it)"

    @property
    def short(self) -> str:
        """A few words for a docstring."""
        return {"PYTHON_PATH": "Python path", "PER_AGENT": "compiled, daily pass per agent",
                "NOT_REPLACEABLE": "not replaceable"}[self.name]


@dataclass(frozen=True)
class Hook:
    """One method of an agent class.

    Attributes:
        owner: ``Employee``, ``Customer`` or ``Vacancy``.
        name: The method's name.
        phase: When it runs.
        override: What overriding it does to the engine.
        doc: What it decides, in one line.
    """

    owner: str
    name: str
    phase: Phase
    override: Override
    doc: str


_W, _D, _M = Phase.WITHIN_DAY, Phase.DAILY, Phase.MECHANICS
_PY, _AG, _NO = Override.PYTHON_PATH, Override.PER_AGENT, Override.NOT_REPLACEABLE

#: Every method of the agent classes, in the order a student meets them.
HOOKS: tuple[Hook, ...] = (
    Hook("Employee", "priority", _W, _PY, "which queued work to do next (lowest key first)"),
    Hook("Employee", "needed_inputs", _W, _PY, "which providers a request needs"),
    Hook("Employee", "needs_review", _W, _PY, "which reviewers check finished work"),
    Hook("Employee", "needs_approval", _W, _PY, "which quality gates check finished work"),
    Hook("Employee", "work_time", _W, _PY, "how long the work takes, in days"),
    Hook("Employee", "effort", _W, _PY, "work multiplier from the inputs (rework, relief)"),
    Hook("Employee", "output_quality", _W, _PY, "quality of the output from skill and inputs"),
    Hook("Employee", "judge_service", _W, _PY, "the experience of an internal service received"),
    Hook("Employee", "experience", _W, _PY, "records an internal service received"),
    Hook("Employee", "target_morale", _D, _AG, "the morale resources and demands pull toward"),
    Hook("Employee", "update_morale", _D, _AG, "moves morale toward its target"),
    Hook("Employee", "learn", _D, _AG, "the learning curve: proficiency from tasks done"),
    Hook("Employee", "refresh", _D, _AG, "effective skill and work time from morale"),
    Hook("Employee", "step_day", _D, _AG, "the daily update: tenure, learning, morale"),
    Hook("Employee", "quit_probability", _D, _AG, "the probability of quitting today"),
    Hook("Employee", "will_quit", _D, _AG, "whether this employee quits today"),
    Hook("Employee", "accept", _M, _PY, "takes a ready request into the queue"),
    Hook("Employee", "_begin", _M, _PY, "starts a piece of work and schedules its end"),
    Hook("Employee", "_worked", _M, _PY, "time worked between two moments on the holder's "
         "working calendar"),
    Hook("Employee", "busy_until_now_of", _M, _PY, "busy time with the work in hand, on the "
         "working calendar"),
    Hook("Employee", "_finish", _M, _PY, "ends a piece of work and starts the next"),
    Hook("Employee", "_overtake", _M, _PY, "counts the time work waits while later work "
         "goes first (prioritisation)"),
    Hook("Employee", "busy_until_now", _M, _PY, "cumulative busy time, work in progress included"),
    Hook("Employee", "utilisation_since_last", _M, _PY, "share of time busy since the last call"),
    Hook("Employee", "hand_over", _M, _PY, "leaving: gives back queued and in-progress work"),
    Hook("Employee", "take_backlog", _M, _PY, "a new hire takes over the work a vacancy held"),
    Hook("Employee", "give_back", _M, _PY, "gives up queued work its manager moves to a peer"),
    Hook("Customer", "perceived_value", _W, _PY, "value of one service: quality after the wait"),
    Hook("Customer", "judge", _W, _PY, "satisfaction with one service (disconfirmation)"),
    Hook("Customer", "experience", _W, _PY, "updates satisfaction and expectation"),
    Hook("Customer", "leave_probability", _D, _AG, "the daily probability of leaving"),
    Hook("Customer", "will_leave", _D, _AG, "whether this customer leaves today"),
    Hook("Customer", "word_of_mouth", _D, _AG, "expected positive and negative messages today"),
    Hook("Customer", "leave", _M, _AG, "leaves for a competitor"),
    Hook("Vacancy", "needed_inputs", _W, _NO, "inputs still requested while vacant"),
    Hook("Vacancy", "accept", _M, _NO, "holds work for the next occupant"),
)


def hooks_of(owner: str, *overrides: Override) -> tuple[str, ...]:
    """Names of ``owner``'s methods, only those with one of ``overrides`` when given."""
    return tuple(h.name for h in HOOKS
                 if h.owner == owner and (not overrides or h.override in overrides))


def overridden(cls: type, base: type, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that ``cls`` overrides from ``base``, or None."""
    for name in names:
        if getattr(cls, name) is not getattr(base, name):
            return name
    return None


def docstring_section(owner: str) -> str:
    """The "Hooks" section of ``owner``'s class docstring."""
    lines = ["", "    Hooks (what each decides; in brackets, what overriding it runs on):"]
    for phase in Phase:
        rows = [h for h in HOOKS if h.owner == owner and h.phase is phase]
        if rows:
            note = " (not meant for overriding)" if phase is Phase.MECHANICS else ""
            lines.append(f"        {phase.value}{note}:")
            lines.extend(f"            ``{h.name}``: {h.doc} [{h.override.short}]." for h in rows)
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The README's table of hooks."""
    lines = ["| class | method | when | what it decides | overriding it |",
             "|---|---|---|---|---|"]
    lines.extend(f"| `{h.owner}` | `{h.name}` | {h.phase.value} | {h.doc} | "
                 f"{h.override.value} |" for h in HOOKS if not h.name.startswith("_"))
    return "\n".join(lines)


class HookOutputError(ValueError):
    """A hook returned a value the model cannot use; the message names the hook and the agent."""


#: The largest finite value a time or multiplier may take.
FINITE = 1.7976931348623157e308


def checked(agent: Any, hook: str, value: float, low: float, high: float,
            where: Callable[[Any], str]) -> float:
    """``value`` if it lies in ``[low, high]`` (NaN never does), else ``HookOutputError``.

    ``where(agent)`` names the agent in words (``employee 7 at position 3``), built only for the
    message.
    """
    if not low <= value <= high:
        allowed = (f"a finite number >= {low:g}" if high == FINITE
                   else f"a number from {low:g} to {high:g}")
        raise HookOutputError(f"{type(agent).__name__}.{hook} returned {value!r} for "
                              f"{where(agent)}: {allowed} is allowed")
    return value
