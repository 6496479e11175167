"""What a log's states mean to the model: queued, working, waiting on others, done.

A state map sends each state (or activity) name of a log to one of these kinds; the presets hold
the names of common ticketing systems and the user's own map extends or overrides them.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    """What a case is doing while it is in a state."""

    QUEUED = "queued"  # waiting for the position holding it to start
    WORKING = "working"  # being worked on by the position holding it
    WAITING = "waiting"  # waiting on someone outside the chain (the user, a vendor)
    DONE = "done"  # resolved: the customer has the answer
    IGNORE = "ignore"  # a row that says nothing about the case (dropped)


#: State names (compared case-insensitively, spaces trimmed) of common systems.
PRESET_STATES: MappingProxyType[str, MappingProxyType[str, Kind]] = MappingProxyType({
    "servicenow": MappingProxyType({
        "new": Kind.QUEUED, "active": Kind.WORKING, "in progress": Kind.WORKING,
        "awaiting user info": Kind.WAITING, "awaiting vendor": Kind.WAITING,
        "awaiting problem": Kind.WAITING, "awaiting evidence": Kind.WAITING,
        "awaiting change": Kind.WAITING, "on hold": Kind.WAITING,
        "resolved": Kind.DONE, "closed": Kind.DONE, "canceled": Kind.DONE,
        "cancelled": Kind.DONE,
        "-100": Kind.IGNORE,  # 5 rows of the UCI export carry this code: no state at all
    }),
    "jira": MappingProxyType({
        "open": Kind.QUEUED, "to do": Kind.QUEUED, "backlog": Kind.QUEUED,
        "selected for development": Kind.QUEUED, "reopened": Kind.QUEUED,
        "waiting for support": Kind.QUEUED, "in progress": Kind.WORKING,
        "in review": Kind.WORKING, "blocked": Kind.WAITING, "on hold": Kind.WAITING,
        "waiting for customer": Kind.WAITING, "pending": Kind.WAITING,
        "done": Kind.DONE, "resolved": Kind.DONE, "closed": Kind.DONE,
        "canceled": Kind.DONE, "cancelled": Kind.DONE,
    }),
    "generic": MappingProxyType({
        "queued": Kind.QUEUED, "waiting": Kind.WAITING, "new": Kind.QUEUED,
        "assigned": Kind.QUEUED, "schedule": Kind.QUEUED, "working": Kind.WORKING,
        "start": Kind.WORKING, "in progress": Kind.WORKING, "waiting on others": Kind.WAITING,
        "suspend": Kind.WAITING, "done": Kind.DONE, "complete": Kind.DONE,
        "resolved": Kind.DONE, "closed": Kind.DONE,
    }),
})


def normal(name: object) -> str:
    """A state name as maps compare it: trimmed, lower case."""
    return str(name).strip().lower()


def state_map(preset: str | None, extra: dict[str, str] | None = None) -> dict[str, Kind]:
    """The preset's state map with the user's entries (``name -> kind word``) over it.

    Raises:
        ValueError: naming an unknown preset or a kind that is not one of the kinds.
    """
    if preset is not None and preset not in PRESET_STATES:
        raise ValueError(f"state preset {preset!r} is not known: one of "
                         f"{', '.join(PRESET_STATES)}")
    mapping = dict(PRESET_STATES[preset]) if preset else {}
    for name, word in (extra or {}).items():
        try:
            mapping[normal(name)] = Kind(normal(word))
        except ValueError:
            raise ValueError(f"state {name!r} = {word!r}: not a kind; one of "
                             f"{', '.join(k.value for k in Kind)}") from None
    return mapping
