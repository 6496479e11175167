"""Requests flowing through the service chain, and the frozen record of each completed service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol


class Served(Protocol):
    """Whoever a request's answer goes back to: an external customer judges the service."""

    def experience(self, quality: float, delay: float) -> float:
        """Take in one service of ``quality`` delivered after ``delay`` days; returns a score."""
        ...


class Need(StrEnum):
    """What an internal customer relies on a provider for; ``SERVICE`` is an external request."""

    MATERIALS = "materials"
    INFORMATION = "information"
    INSTRUCTION = "instruction"
    PARTICIPATION = "participation"
    ASSISTANCE = "assistance"
    SERVICE = "service"


class ServiceRecord(NamedTuple):
    """One completed piece of work: the raw material for every metric.

    Times are in days. ``ready`` is when all inputs had arrived and the work joined the provider's
    queue (fork-join), so ``start - ready`` is the queueing wait and ``finish - start`` the work.
    ``quality_in`` is the mean delivered input quality (NaN when the work needed no inputs).
    """

    request_id: int
    parent_id: int
    root_id: int
    requester_id: int
    provider_id: int
    provider_node: int
    need: Need
    external: bool
    depth: int
    arrival: float
    ready: float
    start: float
    finish: float
    quality_in: float
    quality_out: float


class Request:
    """A unit of work at one position, possibly waiting for sub-requests (its inputs).

    Every hook receives one; read its fields, do not change them (the chain owns them). Users of
    results see :class:`ServiceRecord` instead. Times are in days.

    Attributes:
        id: Sequence number, unique within a run.
        node: The position that does this work.
        need: What the requester relies on (``Need.SERVICE`` for an external customer's work).
        arrival: When the request was made.
        parent: The request this one is an input of (None for a root).
        root: The root of this request's tree (itself for a root).
        depth: Steps from the root (0 for a root).
        requester_id: Unique id of the requesting agent (a customer or an employee).
        requester_level: Hierarchy level of the requester (-1 for an external customer).
        weight: Weight of this input in the parent's quality rule.
        content: Work content in units of one task (the dependency's ``work``; 1 for a
            customer's request).
        customer: The external customer of a root request (None for internal work).
        origin: Requesting position of an internal root request (-1 otherwise).
        size: A standard exponential drawn with the arrival, scaled into the work time when the
            work-time rule allows (negative: none drawn).
        children: The inputs of this work, in the order they were delivered.
        inputs: ``(delivered quality, weight)`` of each input delivered so far.
        passes: Passes of this work sent for review so far (the next pass is ``passes + 1``).
        batch: The parent's pass after which this request was made (0: an input needed before
            the work; k: a review of pass k).
        segment: Blame of this work's latest reviewed pass, ``(server, wait, overtaken, work,
            leaver, time with the leaver, of it time with people who left, vacancy wait,
            pass index)``; a review child keeps its parent's (``pred``).
        pred: The parent's pass this review checked, as in ``segment`` (None for an input).
        defective: Whether the latest pass left a defect (drawn at each finish, with probability
            ``1 - quality``, when the organization has quality gates).
        check: This request is a gate's check of its parent's work (``thoroughness``: its
            gate's).
        checks: The gate checks of this work, in delivery order.
        caught: A check of the latest pass found its defect (the work comes back).
        passed: The last pass went through its gates (they released it).
        complaint: A customer's complaint about a defect (failure demand: it earns nothing).
        pending: Inputs still outstanding; the work joins its server's queue at zero.
        ready: When the last input arrived (fork-join): queueing starts here.
        queued: When the work joined its present holder (an employee or a vacancy).
        prior: Time the work spent with people who then left or passed it on (queued or in
            service there).
        prior_server: The last of those people (who is blamed for ``prior``).
        left: The part of ``prior`` spent with people who then left (unavailable, not
            contention).
        overtaken: Time, in the present queue, the server spent on work that joined after this
            one and was served first (prioritisation).
        step: The step of the chain this request is on (:class:`simulation.core.causes.Step`).
        vacant: Time the work waited at a vacant position (blamed on the vacancy).
        start: When the work began.
        finish: When the work was finished.
        quality: Quality of the finished output in [0, 1].
        skill: Effective skill of the server when the work finished.
        server: The employee who took the work into their queue.
        handoff: Whether the output crosses a department boundary on its way back.
        handoff_delay: The hand-off delay drawn for that crossing (days).
        hold_delay: Time the finished work waited on others outside the chain (its position's
            ``hold``) before it was passed on (days).
        delivered: When the output reached the requester.
    """

    __slots__ = (
        "arrival",
        "batch",
        "caught",
        "check",
        "checks",
        "children",
        "complaint",
        "content",
        "customer",
        "defective",
        "delivered",
        "depth",
        "finish",
        "handoff",
        "handoff_delay",
        "hold_delay",
        "id",
        "inputs",
        "key",
        "left",
        "need",
        "node",
        "origin",
        "overtaken",
        "parent",
        "passed",
        "passes",
        "pending",
        "pred",
        "prior",
        "prior_server",
        "quality",
        "queued",
        "ready",
        "requester_id",
        "requester_level",
        "root",
        "segment",
        "server",
        "size",
        "skill",
        "spawned",
        "start",
        "step",
        "thoroughness",
        "vacant",
        "weight",
    )

    def __init__(
        self,
        rid: int,
        node: int,
        need: Need,
        arrival: float,
        parent: Request | None,
        requester_id: int,
        requester_level: int,
        weight: float = 1.0,
        customer: Served | None = None,
    ) -> None:
        self.id = rid
        self.node = node
        self.need = need
        self.arrival = arrival
        self.parent = parent
        self.requester_id = requester_id
        self.requester_level = requester_level
        self.weight = weight
        self.customer = customer
        self.root = self if parent is None else parent.root
        self.depth = 0 if parent is None else parent.depth + 1
        self.passes = 0
        self.segment: tuple | None = None
        self.batch = 0 if parent is None else parent.passes
        self.pred = None if parent is None else parent.segment
        self.pending = 0
        self.children: list[Request] = []
        self.inputs: list[tuple[float, float]] = []  # (delivered quality, weight)
        self.ready = arrival
        self.queued = arrival
        self.prior = 0.0
        self.prior_server: Any = None
        self.left = 0.0
        self.vacant = 0.0
        self.overtaken = 0.0
        self.step = 0  # simulation.core.causes.Step: a customer's own request (the chain sets
        # the step of every request it makes for a dependency)
        self.start = arrival
        self.finish = arrival
        self.quality = 0.0
        self.handoff_delay = 0.0
        self.hold_delay = 0.0
        self.delivered = arrival
        self.server: Any = None  # the Employee who did the work
        self.skill = 0.0  # effective skill of the server when the work finished
        self.handoff = False  # delivered across a department boundary
        self.origin = -1  # requesting position of an internal root request
        self.size = -1.0  # a standard exponential drawn with the arrival (<0: none)
        self.content = 1.0  # work content in units of one task
        self.defective = False
        self.check = False
        self.key = 0  # the key of its keyed draws (set by the chain)
        self.spawned = 0  # requests it has created so far
        self.thoroughness = 0.0
        self.checks: list[Request] = []
        self.caught = False
        self.passed = False
        self.complaint = False

    @property
    def external(self) -> bool:
        """True when the chain ends at an external customer."""
        return self.root.customer is not None

    def on_chain(self, node: int) -> bool:
        """True if ``node`` already works on this request's chain, or asked for it.

        The chain is the request itself and its ancestors; a scheduled root's originator counts
        too, so no report ever waits for an approval from the manager who asked for it.
        """
        r: Request = self
        while True:
            if r.node == node:
                return True
            if r.parent is None:
                return r.origin == node
            r = r.parent


@dataclass(frozen=True, slots=True)
class Dependency:
    """An internal customer's reliance on one provider position.

    Attributes:
        provider: The provider's position (graph node).
        need: What is needed (materials, information, instruction, participation, assistance).
        probability: Share of the customer's own requests that need this input (per request).
        per_day: Scheduled requests per day regardless of external demand (weekly = 0.2).
        weight: How much the input matters to the output quality.
        handoff: Whether the input crosses a department boundary.
        purpose: A label such as ``approval`` or ``reporting``.
        review: Checked by the provider *after* the work, with ``probability``, and returned
            for another pass (a rework loop); otherwise an input needed before the work.
        work: Work content of the provider's task, in units of one task (a report may take a
            quarter of one, a coaching session two).
        gate: A quality gate: the provider checks the customer's finished work (with
            ``probability``) and returns it for another pass only if it finds a defect.
        thoroughness: Of a gate: the share of defects a fully skilled checker finds (the
            chance of finding one is ``thoroughness * skill``).
        directed: Of a scheduled request to the customer's manager (coaching): the manager
            gives it to whichever direct report of that role the latest reports show least
            skilled, not yet served since their report (``ServiceChain.coached``).
        exclusive: One of the customer's exclusive inputs: a request needs at most one of them,
            chosen with their probabilities (which sum to at most 1), so work moves on to one
            provider or another (Markov routing) instead of forking to several.
    """

    provider: int
    need: Need
    probability: float = 1.0
    per_day: float = 0.0
    weight: float = 1.0
    handoff: bool = False
    purpose: str = "dependency"
    review: bool = False
    work: float = 1.0
    gate: bool = False
    thoroughness: float = 0.0
    directed: bool = False
    exclusive: bool = False
