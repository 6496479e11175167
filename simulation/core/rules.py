"""The model's default formulas, each written once.

Plain Python on scalars: the agents' hooks and the strategies call these functions, and the
compiled kernel compiles the very same functions (``numba.njit`` of each, inlined), so a rule
changed here changes both engines. What cannot be shared is the iteration over a request's
inputs (the kernel walks linked rows of arrays, the Python path lists): those loops are twins,
each marked where it stands and compared on random inputs by ``tests/test_twins.py``.

Keep each function a single expression of floats (no Python objects, no keyword arguments):
that is what numba compiles, and what keeps the two engines equal to the last bit (the same
operations in the same order, libm's ``exp`` and ``log`` on both sides).
"""

from __future__ import annotations

import math

#: Floor under qualities before a logarithm (Cobb-Douglas).
LOG_FLOOR = 1e-12


# ---------------------------------------------------------------------- services and judgement


def hyperexponential(mean: float, cv: float, e1: float, e2: float) -> float:
    """A draw with ``mean`` and coefficient of variation ``cv`` >= 1 from two exponentials.

    A two-phase hyperexponential with balanced means (Whitt 1982): phase one with probability
    ``p = (1 + sqrt((cv^2 - 1) / (cv^2 + 1))) / 2`` and mean ``mean / (2 p)``, else phase two
    with mean ``mean / (2 (1 - p))``; ``exp(-e1)``, a uniform, chooses the phase, ``e2`` scales
    it. A hold's distribution: most waits short, a few very long.
    """
    p = 0.5 * (1.0 + math.sqrt((cv * cv - 1.0) / (cv * cv + 1.0)))
    return e2 * mean / (2.0 * p) if math.exp(-e1) < p else e2 * mean / (2.0 * (1.0 - p))


def discounted(quality: float, delay: float, tolerance: float) -> float:
    """Value of a service of ``quality`` after ``delay`` days, with patience ``tolerance``.

    Customers' perceived value (tolerance = patience) and employees' experience of an internal
    service (tolerance = internal tolerance).
    """
    return quality * math.exp(-delay / tolerance)


def disconfirmation(value: float, expectation: float, sensitivity: float) -> float:
    """Satisfaction with one service: a logistic of value minus expectation (Oliver 1980)."""
    return 1.0 / (1.0 + math.exp(-sensitivity * (value - expectation)))


def smoothed(current: float, target: float, weight: float) -> float:
    """Exponential smoothing: move ``current`` a share ``weight`` of the way to ``target``."""
    return current + weight * (target - current)


def averaged(current: float, target: float, memory: float) -> float:
    """A moving average with a memory of ``memory`` days: ``current + (target - current) / m``."""
    return current + (target - current) / memory


# ---------------------------------------------------------------------- quality and effort


def handed_over(quality: float, keep: float) -> float:
    """Quality left after a hand-off across a department boundary."""
    return quality * keep


def compensatory(skill: float, mean_input: float, dependence: float) -> float:
    """Linear mix of own skill and the inputs' weighted mean quality."""
    return (1.0 - dependence) * skill + dependence * mean_input


def cobb_douglas(skill: float, mean_log_input: float, dependence: float) -> float:
    """Geometric mix of own skill and the inputs' weighted mean log quality."""
    return math.exp((1.0 - dependence) * math.log(max(skill, LOG_FLOOR))
                    + dependence * mean_log_input)


def log_quality(quality: float) -> float:
    """The logarithm Cobb-Douglas takes of a quality (floored away from zero)."""
    return math.log(max(quality, LOG_FLOOR))


def effort(mean_input: float, relief: float, rework: float) -> float:
    """Work multiplier: poor inputs cause rework, assistance takes work off (at least 0.1)."""
    return max(0.1, 1.0 + rework * (1.0 - mean_input) - relief)


def assistance(quality: float, relief: float) -> float:
    """Share of the work an assistance input of ``quality`` takes off."""
    return relief * quality


# ---------------------------------------------------------------------- people


def target_morale(baseline: float, resource_effect: float, resources: float,
                  resource_ref: float, demand_effect: float, load: float,
                  demand_ref: float) -> float:
    """Morale that resources and demands pull toward, in [0, 1] (job demands-resources)."""
    target = (baseline + resource_effect * (resources - resource_ref)
              - demand_effect * max(0.0, load - demand_ref))
    return min(1.0, max(0.0, target))


def quit_probability(base: float, sensitivity: float, reference: float, morale: float) -> float:
    """Daily probability of quitting: rises exponentially as morale falls below ``reference``."""
    return min(1.0, base * math.exp(sensitivity * (reference - morale)))


def proficiency(gap: float, tasks_done: float, exponent: float) -> float:
    """Wright's learning curve: the initial ``gap`` shrinks as tasks done double."""
    return 1.0 - gap * (1.0 + tasks_done) ** exponent


def effective_skill(skill: float, proficiency: float, quality_effect: float,
                    morale_gap: float) -> float:
    """Skill at today's proficiency and morale, in [0.001, 1]."""
    return min(1.0, max(1e-3, skill * proficiency * (1.0 + quality_effect * morale_gap)))


def speed(proficiency: float, speed_effect: float, morale_gap: float) -> float:
    """Speed relative to full speed at baseline morale (at least 0.05)."""
    return max(0.05, proficiency * (1.0 + speed_effect * morale_gap))


def mean_work(rate: float, speed: float) -> float:
    """Mean days one task takes at ``rate`` tasks a day and relative ``speed`` (0 if infinite)."""
    return 0.0 if math.isinf(rate) else 1.0 / (rate * speed)


# ---------------------------------------------------------------------- customers


def leave_probability(satisfaction: float, base: float, loyalty: float) -> float:
    """Daily probability of leaving: a proportional hazard falling with satisfaction."""
    return min(1.0, base * math.exp(-loyalty * (satisfaction - 0.5)))


def word_of_mouth(satisfaction: float, talk_rate: float,
                  negative_ratio: float) -> tuple[float, float]:
    """Expected positive and negative messages a day: an asymmetric U (Anderson 1998)."""
    x = 2.0 * (satisfaction - 0.5)
    if x >= 0.0:
        return talk_rate * x * x, 0.0
    return 0.0, talk_rate * negative_ratio * x * x


def worked(t: float, start: float, end: float, mask: int, period: int) -> float:
    """Working time from 0 to ``t`` on a shift calendar.

    Day ``d`` (the interval ``[d, d + 1)``) works from ``d + start`` to ``d + end`` when bit
    ``d % period`` of ``mask`` is set (:func:`simulation.core.shifts.shift_calendar`).
    """
    day = math.floor(t)
    cycles = day // period
    rest = day - cycles * period
    on = 0
    before = 0
    for j in range(period):
        if (mask >> j) & 1:
            on += 1
            if j < rest:
                before += 1
    length = end - start
    total = (cycles * on + before) * length
    if (mask >> rest) & 1:
        total += min(max(t - day - start, 0.0), length)
    return total


def advance(t: float, w: float, start: float, end: float, mask: int, period: int) -> float:
    """When ``w`` working time from ``t`` is done on a shift calendar (the earliest such time).

    With ``w = 0``: when work can begin, ``t`` itself on shift, else the next shift's start.
    """
    length = end - start
    day = math.floor(t)
    if (mask >> (day % period)) & 1:
        begin = max(t, day + start)
        if begin < day + end or (w == 0.0 and begin == day + end and t == begin):
            if begin + w <= day + end:
                return begin + w
            w -= day + end - begin
    on = 0
    for j in range(period):
        on += (mask >> j) & 1
    per_cycle = on * length
    if w > per_cycle:  # whole cycles at once, keeping some work for the last day
        k = math.floor(w / per_cycle)
        if k * per_cycle >= w:
            k -= 1
        day += k * period
        w -= k * per_cycle
    while True:
        day += 1
        if (mask >> (day % period)) & 1:
            if w <= length:
                return day + start + w
            w -= length


REWORK_STEP = 3  # simulation.core.causes.Step.REWORK (a plain int: the kernel compiles this)


def pass_step(step: int, index: int) -> int:
    """The step of a pass of work: its request's own for the first pass, rework for later ones."""
    return REWORK_STEP if index > 0 else step


#: Every rule, for the compiled kernel and the twin tests.
RULES = (worked, advance, pass_step, hyperexponential, discounted, disconfirmation, smoothed,
         averaged, handed_over,
         compensatory, cobb_douglas, log_quality, effort, assistance, target_morale,
         quit_probability, proficiency, effective_skill, speed, mean_work, leave_probability,
         word_of_mouth)

