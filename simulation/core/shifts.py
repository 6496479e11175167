"""Working calendars of positions: the part of each working day, and the days, a holder works.

One model day is one working day of the organization. A position's shift is the part of it
from ``shift_start`` to ``shift_end`` (fractions of the day); ``workdays`` is a cycle of ``0``
and ``1`` from the run's first day (``"11110"``: the first four days of every five), empty for
every day. Off shift its holder takes no work, and work in hand waits for the next shift
(:func:`simulation.core.rules.advance`); a customer's time then is *unavailable*.
"""

from __future__ import annotations

#: A calendar as the engines read it: ``(start, end, mask, period)``; bit ``d % period`` of
#: ``mask`` set when day ``d`` works.
Calendar = tuple[float, float, int, int]
#: The shortest shift, as a fraction of the working day (about 40 seconds of an 11-hour day):
#: shorter ones are a typing error, and would make a day's work take millions of days.
MIN_SHIFT = 0.001


def shift_calendar(start: float = 0.0, end: float = 1.0, workdays: str = "") -> Calendar | None:
    """The calendar of a shift, or None when it always works (no calendar at all).

    Raises:
        ValueError: a shift outside ``0 <= start < end <= 1``, or ``workdays`` not 1 to 7 of
            ``0`` and ``1`` with at least one ``1``.
    """
    if not (0.0 <= start <= 1.0 and 0.0 <= end <= 1.0 and end - start >= MIN_SHIFT):
        raise ValueError(f"shift {start!r} to {end!r} is not allowed: fractions of the working "
                         f"day, 0 <= shift_start < shift_end <= 1, at least {MIN_SHIFT:g} apart")
    days = str(workdays)
    if days and (len(days) > 7 or set(days) - {"0", "1"} or "1" not in days):
        raise ValueError(f"workdays = {days!r} is not allowed: 1 to 7 of 0 and 1 (a cycle from "
                         "the run's first day, e.g. 11110), at least one 1; empty: every day")
    mask = sum(1 << j for j, c in enumerate(days) if c == "1") if days else 1
    period = len(days) or 1
    if start == 0.0 and end == 1.0 and mask == (1 << period) - 1:
        return None
    return (float(start), float(end), mask, period)
