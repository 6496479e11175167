"""Why a customer waited: the kinds of time and the steps of the chain a delay is made of.

Every moment of an external customer's delay lies on the critical path (at each fork-join, the
input delivered last) and is one *kind* of time at one *step* of the chain, so the delay splits
exactly both ways:

* kind: ``work`` (someone working on it), ``contention`` (in a queue behind work that was
  there first), ``prioritisation`` (in a queue while work that came later was served first),
  ``unavailable`` (the post vacant, covered, behind a vacancy's backlog, or its holder left
  with the work), ``hold`` (waiting on others outside the chain) and ``handoff`` (crossing a
  department boundary);
* step: ``service`` (the customer's own request at its home position), ``inputs`` (inputs
  asked for before the work), ``review`` (reviews and quality checks of finished work),
  ``rework`` (every later pass of work already done once) and ``escalation`` (approvals and
  escalations up the line: dependencies whose purpose is ``approval``).

The rule is written once here; both engines use it (the kernel through its edge columns and
:func:`simulation.core.rules.pass_step`).
"""

from __future__ import annotations

from enum import IntEnum

from simulation.core.requests import Dependency, Need


class Kind(IntEnum):
    """What the time on the critical path was."""

    WORK = 0
    CONTENTION = 1
    PRIORITISATION = 2
    UNAVAILABLE = 3
    HOLD = 4
    HANDOFF = 5


class Step(IntEnum):
    """Which step of the chain the time was spent in."""

    SERVICE = 0
    INPUTS = 1
    REVIEW = 2
    REWORK = 3
    ESCALATION = 4


#: The needs in their index order (``Need.SERVICE`` is a customer's own request).
NEEDS: tuple[Need, ...] = tuple(Need)
#: The purpose that makes a dependency an approval or escalation.
APPROVAL = "approval"
#: Columns of a customer's row of causes: the kinds, then the steps (each group adds up to the
#: customer's delay).
ROW = len(Kind) + len(Step)


def step_of(dep: Dependency) -> Step:
    """The step a request made for ``dep`` is on: escalation, review or inputs."""
    if dep.purpose == APPROVAL:
        return Step.ESCALATION
    if dep.review or dep.gate:
        return Step.REVIEW
    return Step.INPUTS


def need_index(need: Need) -> int:
    """Index of ``need`` in :data:`NEEDS`."""
    return NEEDS.index(need)
