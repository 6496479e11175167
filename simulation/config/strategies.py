"""Pluggable strategy objects: queue disciplines, quality rules and work-time distributions.

Each is a small frozen dataclass with one method the engine calls; write your own by implementing
the same method (they are structural protocols, no registration needed).
"""

from __future__ import annotations

import copy
from dataclasses import field
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Union, runtime_checkable

from pydantic import ConfigDict, Field, TypeAdapter, WrapValidator
from pydantic.dataclasses import dataclass

from simulation.core import rules

if TYPE_CHECKING:
    from simulation.core.requests import Request
    from simulation.core.streams import Stream

_CONFIG = ConfigDict(extra="forbid")

# --------------------------------------------------------------------------- queue disciplines


@runtime_checkable
class QueueDiscipline(Protocol):
    """Orders an employee's queue: the lowest key is served next, ties first come first served."""

    def key(self, request: Request) -> float:
        """Priority key of a request joining the queue (lower is served first)."""
        ...


@dataclass(frozen=True, config=_CONFIG)
class FirstComeFirstServed:
    """Serve work in the order it became ready."""

    kind: Literal["first_come_first_served"] = field(
        default="first_come_first_served", repr=False, kw_only=True)

    def key(self, request: Request) -> float:
        """All requests share one key, so the arrival order decides."""
        return 0.0


@dataclass(frozen=True, config=_CONFIG)
class RankFirst:
    """Serve the higher-ranked requester first (the traditional pyramid).

    External customers rank below every employee (requester level -1).
    """

    kind: Literal["rank_first"] = field(
        default="rank_first", repr=False, kw_only=True)

    def key(self, request: Request) -> float:
        """Minus the requester's level."""
        return -float(request.requester_level)


@dataclass(frozen=True, config=_CONFIG)
class CustomerFirst:
    """Serve work an external customer is waiting for first (Carlzon's inverted pyramid).

    Work on an external customer's chain goes before internal-only work, and among it the
    customer who has waited longest is served first, wherever in the chain the work is: a
    sub-request that blocks a customer is as urgent as the customer's own final step.
    Internal-only work follows, first come first served.
    """

    kind: Literal["customer_first"] = field(
        default="customer_first", repr=False, kw_only=True)

    def key(self, request: Request) -> float:
        """The customer's arrival time; internal-only work after all customer work."""
        root = request.root
        if root.customer is not None:
            return root.arrival
        return _INTERNAL_AFTER + request.arrival


_INTERNAL_AFTER = 1e12  # days: later than any customer's arrival


# --------------------------------------------------------------------------- quality rules


@runtime_checkable
class QualityRule(Protocol):
    """Combines effective skill with delivered input qualities into output quality in [0, 1]."""

    def combine(self, skill: float, inputs: list[tuple[float, float]]) -> float:
        """Output quality from own skill and ``(quality, weight)`` inputs."""
        ...

    def blame(self, skill: float, inputs: list[tuple[float, float]]) -> list[float]:
        """Shares (summing to 1) of the quality lost due to own skill, then each input."""
        ...


def _proportional(terms: list[float]) -> list[float]:
    total = sum(terms)
    if total <= 0.0:
        return [1.0] + [0.0] * (len(terms) - 1)
    return [t / total for t in terms]


@dataclass(frozen=True, config=_CONFIG)
class Compensatory:
    """Weighted mean: ``q = (1 - d) * skill + d * weighted mean of inputs``.

    Attributes:
        input_dependence: Share ``d`` of output quality that comes from inputs, in [0, 1].
    """

    kind: Literal["compensatory"] = field(
        default="compensatory", repr=False, kw_only=True)

    input_dependence: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5

    def combine(self, skill: float, inputs: list[tuple[float, float]]) -> float:
        """Linear mix of skill and inputs."""
        if not inputs:
            return skill
        # the sums are twins of the kernel's _quality loop (tests/test_twins.py)
        wsum = sum(w for _, w in inputs)
        mean_in = sum(q * w for q, w in inputs) / wsum
        return rules.compensatory(skill, mean_in, self.input_dependence)

    def blame(self, skill: float, inputs: list[tuple[float, float]]) -> list[float]:
        """Exact linear decomposition of ``1 - q``."""
        if not inputs:
            return [1.0]
        wsum = sum(w for _, w in inputs)
        d = self.input_dependence
        return _proportional(
            [(1.0 - d) * (1.0 - skill)] + [d * w / wsum * (1.0 - q) for q, w in inputs]
        )


@dataclass(frozen=True, config=_CONFIG)
class CobbDouglas:
    """Multiplicative: ``q = skill^(1-d) * (weighted geometric mean of inputs)^d``.

    A poor input hurts more than under :class:`Compensatory`; blame is exact in log space.
    """

    kind: Literal["cobb_douglas"] = field(
        default="cobb_douglas", repr=False, kw_only=True)

    input_dependence: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5

    def combine(self, skill: float, inputs: list[tuple[float, float]]) -> float:
        """Geometric mix of skill and inputs."""
        if not inputs:
            return skill
        # the sums are twins of the kernel's _quality loop (tests/test_twins.py)
        wsum = sum(w for _, w in inputs)
        log_in = sum(w * rules.log_quality(q) for q, w in inputs) / wsum
        return rules.cobb_douglas(skill, log_in, self.input_dependence)

    def blame(self, skill: float, inputs: list[tuple[float, float]]) -> list[float]:
        """Shares of ``-log q``."""
        if not inputs:
            return [1.0]
        wsum = sum(w for _, w in inputs)
        d = self.input_dependence
        return _proportional(
            [-(1.0 - d) * rules.log_quality(skill)]
            + [-d * w / wsum * rules.log_quality(q) for q, w in inputs]
        )


@dataclass(frozen=True, config=_CONFIG)
class WeakestLink:
    """The output is only as good as the worst of own skill and inputs."""

    kind: Literal["weakest_link"] = field(
        default="weakest_link", repr=False, kw_only=True)

    def combine(self, skill: float, inputs: list[tuple[float, float]]) -> float:
        """Minimum of skill and input qualities."""
        return min([skill, *(q for q, _ in inputs)])

    def blame(self, skill: float, inputs: list[tuple[float, float]]) -> list[float]:
        """All the blame to the weakest link (the first one on ties)."""
        values = [skill, *(q for q, _ in inputs)]
        worst = values.index(min(values))
        return [1.0 if i == worst else 0.0 for i in range(len(values))]


# --------------------------------------------------------------------------- work times


@runtime_checkable
class WorkTime(Protocol):
    """Distribution of the time one piece of work takes, given its mean."""

    def sample(self, mean: float, stream: Stream) -> float:
        """One work time in days."""
        ...


@dataclass(frozen=True, config=_CONFIG)
class Exponential:
    """Exponential work times (M/M/1 servers)."""

    kind: Literal["exponential"] = field(
        default="exponential", repr=False, kw_only=True)

    def sample(self, mean: float, stream: Stream) -> float:
        """Mean times a standard exponential draw."""
        return mean * stream.exponential()

    def from_exponential(self, mean: float, e: float) -> float:
        """The work time for a given standard exponential draw (common random numbers)."""
        return mean * e


@dataclass(frozen=True, config=_CONFIG)
class Deterministic:
    """Every piece of work takes exactly its mean."""

    kind: Literal["deterministic"] = field(
        default="deterministic", repr=False, kw_only=True)

    def sample(self, mean: float, stream: Stream) -> float:
        """The mean itself."""
        return mean

    def from_exponential(self, mean: float, e: float) -> float:
        """The mean itself, whatever the draw."""
        return mean


@dataclass(frozen=True, config=_CONFIG)
class Erlang:
    """Erlang-k work times: coefficient of variation ``1/sqrt(k)``, smoother than exponential."""

    kind: Literal["erlang"] = field(
        default="erlang", repr=False, kw_only=True)

    k: Annotated[int, Field(ge=1, le=1000)] = 4

    def sample(self, mean: float, stream: Stream) -> float:
        """Sum of ``k`` exponential phases."""
        total = 0.0
        for _ in range(self.k):
            total += stream.exponential()
        return mean * total / self.k


# --------------------------------------------------------------------------- file and schema form


def _strategy_field(members: tuple[type, ...], method: str, what: str) -> Any:
    """Annotated type accepting a name, a table with ``kind``, or any object with ``method``."""
    names = [m.__dataclass_fields__["kind"].default for m in members]
    union = Annotated[Union[members], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007

    def accept(value: Any, handler: Any) -> Any:
        if isinstance(value, str):
            if value not in names:
                raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(names)}")
            value = {"kind": value}
        if isinstance(value, dict):
            return handler(value)
        if callable(getattr(value, method, None)):
            return value  # a user's own strategy object
        raise ValueError(f"a {what} is a name ({', '.join(names)}), a table with kind and "
                         f"parameters, or an object with a {method}() method")

    schemas = [TypeAdapter(m).json_schema() for m in members]
    for sch in schemas:
        sch.pop("title", None)
    json_schema = {"anyOf": [{"type": "string", "enum": names}, *schemas]}
    return Annotated[union, WrapValidator(accept), _JsonSchema(json_schema)]


class _JsonSchema:
    """Replace a field's JSON Schema (pydantic's WithJsonSchema, without its import cost)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return copy.deepcopy(self.schema)


DisciplineField = _strategy_field((FirstComeFirstServed, RankFirst, CustomerFirst), "key",
                                  "queue discipline")
QualityRuleField = _strategy_field((Compensatory, CobbDouglas, WeakestLink), "combine",
                                   "quality rule")
WorkTimeField = _strategy_field((Exponential, Deterministic, Erlang), "sample", "work-time rule")
