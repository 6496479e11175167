"""The compiled event loop: the day's work of the default behaviours, in one numba function.

The Python chain's semantics (``simulation.chain``, ``simulation.agents``), with the same random
draws in the same order, on state held in arrays: requests in a pool of integer-indexed rows, each
person's queue a pairing heap threaded through the pool, the event heap in arrays, customers by
serial number. Results are identical to the Python path (tested), about a hundred times faster.
The formulas are not copied: the functions of :mod:`simulation.core.rules` are compiled here as
they are (``_rule`` below); what remains twin is the walking of a request's inputs.

Nothing here is public: :class:`simulation.compiled.engine.Engine` owns the arrays and calls
these functions.
A function that would run out of room returns a ``GROW_*`` status *before* changing anything, so
the engine enlarges its arrays and calls again.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulation.compiled import cache
from simulation.core import rules
from simulation.core.causes import NEEDS, Kind, Step, need_index
from simulation.core.requests import Need

cache.install()  # before the first njit below: the cache is keyed on every source used here

BLOCK = 4096  # the random streams' block (simulation.core.streams)

# No reference counting (nothing here allocates): a call between these functions then costs a few
# nanoseconds instead of about 150 for their thirty array arguments (docs/design.md section 14).
_OPTIONS = {"cache": True, "_nrt": False}
try:  # a private numba option: without it the kernel is slower, not different
    njit(**_OPTIONS)(lambda: None)
except (KeyError, TypeError, ValueError):  # pragma: no cover - depends on numba's version
    _OPTIONS = {"cache": True}


def _rule(function):
    """A rule of :mod:`simulation.core.rules`, compiled and inlined where it is called."""
    return njit(**_OPTIONS, inline="always")(function)


_discounted = _rule(rules.discounted)
_worked = _rule(rules.worked)
_advance = _rule(rules.advance)
_pass_step = _rule(rules.pass_step)
_hyperexponential = _rule(rules.hyperexponential)
_disconfirmation = _rule(rules.disconfirmation)
_smoothed = _rule(rules.smoothed)
_averaged = _rule(rules.averaged)
_handed_over = _rule(rules.handed_over)
_compensatory = _rule(rules.compensatory)
_cobb_douglas = _rule(rules.cobb_douglas)
_log_quality = _rule(rules.log_quality)
_effort = _rule(rules.effort)
_assistance = _rule(rules.assistance)
_target_morale = _rule(rules.target_morale)
_quit_probability = _rule(rules.quit_probability)
_proficiency = _rule(rules.proficiency)
_effective_skill = _rule(rules.effective_skill)
_speed = _rule(rules.speed)
_mean_work = _rule(rules.mean_work)
_leave_probability = _rule(rules.leave_probability)
_word_of_mouth = _rule(rules.word_of_mouth)

# ---- request pool: integer columns
R_NODE, R_PARENT, R_ROOT, R_DEPTH, R_PENDING, R_CUST, R_SERVER, R_HANDOFF = range(8)
R_ORIGIN, R_ASSIST, R_LEVEL, R_FIRST, R_LAST, R_NEXT, R_QCHILD, R_QSIB, R_SEQ = range(8, 17)
R_PREV, R_BATCH, R_PASSES, R_LSERVER, R_LPREV, R_PSERVER, R_PPREV = range(17, 24)
R_CHECK, R_DEFECT, R_CAUGHT, R_PASSED, R_CFIRST, R_CLAST, R_COMPLAINT = range(24, 31)
R_KEY, R_SPAWNED = range(31, 33)  # the keyed draws' key (64 bits), requests created so far
R_STEP, R_NEED = 33, 34  # the step of the chain it is on and its need (simulation.core.causes)
NRI = 35
# ---- request pool: float columns
F_ARRIVAL, F_READY, F_START, F_FINISH, F_QUALITY, F_HDELAY, F_SKILL, F_SIZE = range(8)
F_WEIGHT, F_DELIVERED, F_KEY, F_QUEUED, F_PRIOR, F_VACANT, F_CONTENT = range(8, 15)
# a reviewed pass's blame: the latest one (L*, on the work) and the one a review checked (P*)
F_LWAIT, F_LWORK, F_LPRIOR, F_LVACANT, F_PWAIT, F_PWORK, F_PPRIOR, F_PVACANT = range(15, 23)
F_THOR, F_HOLD = 23, 24  # F_HOLD: the hold drawn when the work was passed on
# Request.overtaken and Request.left, and their L* and P* copies as the other blame's
F_OVER, F_LEFT, F_LOVER, F_LLEFT, F_POVER, F_PLEFT = range(25, 31)
# a pass's time off shift, waiting and in work (the L* and P* copies)
F_LOFFW, F_LOFFK, F_POFFW, F_POFFK = range(31, 35)
NRF = 35
# ---- persons (employees ever, by serial number): integer columns
P_NODE, P_QROOT, P_CURRENT, P_TOKEN, P_PRESENT, P_TASKS, P_ACCEPTED = range(7)
P_ISERVED, P_ESERVED, P_EXPN, P_HANDED = range(7, 11)
P_MASK, P_PERIOD = 11, 12  # the person's working calendar (P_PERIOD 0: always at work)
NPI = 13
# ---- persons: float columns
Q_AREA, Q_TLAST, Q_BUSY, Q_SOJOURN, Q_IRESP, Q_ISCORE = range(6)
Q_BWAIT, Q_BWORK, Q_BHAND, Q_BQUAL, Q_EXPSUM, Q_SKILL, Q_MEANWORK, Q_BACKLOG = range(6, 14)
Q_EXPECT, Q_BHOLD = 14, 15
Q_BPRIO, Q_BLEFT, Q_BSTEP = 16, 17, 18  # of Q_BWAIT: overtaken, left with; Q_BSTEP + step:
Q_BOFF = Q_BSTEP + len(Step)  # the blame by step of the chain; of Q_BWAIT: off shift
Q_SHIFT0, Q_SHIFT1 = Q_BOFF + 1, Q_BOFF + 2  # the calendar's shift within the day
NPF = Q_BOFF + 3
# ---- positions: integer columns (``pos``) and float columns (``sv``)
S_SERVER, S_OCCUPANT, S_WHEAD, S_WTAIL, S_MANAGER, S_TNEXT = range(6)  # S_TNEXT: team ring
V_VACANT, V_REPORTED, V_LOAD, V_SKILL, V_HOLD, V_HOLDCV = range(6)  # vacancy wait; the latest
# report's time, load and skill (inf: coached since); the mean hold of finished work (waiting on
# others) and its coefficient of variation; V_VSTEP + step: the vacancy wait by step
V_VSTEP = 6
NV = 6 + len(Step)
# ---- customers (by serial number)
C_SAT, C_EXPECT, C_SERVED = range(3)
# ---- integer state
I_NFREE, I_HSIZE, I_CLOCKSEQ, I_CHAINSEQ, I_ARR, I_NARR, I_NDELAYS, I_NFLOWS = range(8)
I_IU, I_IE, I_EVENTS, I_CREATED, I_COMPLETED, I_SERVICES = range(8, 14)
I_EXT_ARR, I_EXT_DONE, I_INT_ARR, I_INT_DONE, I_PRESENT, I_INTN, I_DAY_INTN = range(14, 21)
I_DAY_ARR, I_DAY_DONE, I_DEFECTS, I_COMPLAINTS, I_INKEY = range(21, 26)
NI = 26  # I_INKEY: the run's key of the keyed draws (64 bits)
# ---- float state
G_NOW, G_AREA, G_TLAST, G_DELAY, G_QUALITY, G_SAT, G_REVENUE, G_ISCORE = range(8)
G_DAY_QUALITY, G_DAY_SAT, G_DAY_REVENUE, G_DAY_ISCORE, G_WINDOW = range(8, 13)
# G_WINDOW: external requests arriving from then on are not counted (run-out); from G_CAUSES,
# Metrics.causes (need, step, kind) flattened
G_CAUSES = 13
NKIND, NSTEP = len(Kind), len(Step)
NG = G_CAUSES + len(NEEDS) * NSTEP * NKIND
# a customer's row of ``delays``: its delay, arrival, then its causes (kinds, then steps)
D_DELAY, D_ARRIVAL, D_CAUSES = 0, 1, 2
KW, KC, KP, KU, KH, KD = (int(x) for x in (Kind.WORK, Kind.CONTENTION, Kind.PRIORITISATION,
                                           Kind.UNAVAILABLE, Kind.HOLD, Kind.HANDOFF))
N_SERVICE = need_index(Need.SERVICE)
# ---- integer parameters
K_MAXDEPTH, K_DISCIPLINE, K_QUALITY, K_WORKTIME, K_ERLANG, K_DEFECTS = range(6)
NK = 6
# ---- float parameters
X_D, X_HMEAN, X_HKEEP, X_ITOL, X_REWORK, X_RELIEF, X_PATIENCE, X_SENS, X_SATW = range(9)
X_LEARN, X_PRICE, X_IEXPECT, X_ISENS, X_ILEARN, X_FAILURE = range(9, 15)
NX = 15
# ---- edges (inputs, then reviews, then scheduled): integer and float columns
E_TO, E_HANDOFF, E_ASSIST, E_DIRECT, E_EXCL, E_STEP, E_NEED = range(7)
W_P, W_W, W_WORK, W_THOR = range(4)

# codes of the built-in strategies
FCFS, RANK_FIRST, CUSTOMER_FIRST = 0, 1, 2
COMPENSATORY, COBB_DOUGLAS, WEAKEST_LINK = 0, 1, 2
EXPONENTIAL, DETERMINISTIC, ERLANG = 0, 1, 2

# statuses
DONE, GROW_POOL, GROW_HEAP, GROW_DELAYS, GROW_FLOWS, NEED_DRAWS, NEED_UNIFORMS = range(7)
# margins: room one event may need (requests, heap slots, work-stream exponential draws,
# decisions-stream uniform draws)
M_POOL, M_HEAP, M_E, M_U = range(4)
FINISH, DELIVER, COMPLAIN, RELEASE = 0, 1, 2, 3  # RELEASE: a root's hold is over
INTERNAL_AFTER = 1e12  # CustomerFirst: internal-only work after every customer's


# ------------------------------------------------------------------ sums as Python sums them


@njit(**_OPTIONS, inline="always")
def _add(total, comp, x):
    """One step of CPython's ``sum()`` of floats (Neumaier's compensated summation, 3.12+)."""
    t = total + x
    if abs(total) >= abs(x):
        comp += (total - t) + x
    else:
        comp += (x - t) + total
    return t, comp


@njit(**_OPTIONS, inline="always")
def _result(total, comp):
    """The end of CPython's ``sum()``: the compensation is added when finite and non-zero."""
    if comp != 0.0 and math.isfinite(comp):
        return total + comp
    return total


# ------------------------------------------------------------------ random draws


@njit(**_OPTIONS, inline="always")
def _uniform(u, ic):
    """The next uniform draw of the decisions stream (the caller keeps enough: margin ``M_U``).

    Its buffer may hold blocks drawn ahead; ``Stream.settle`` gives back the ones not read, so
    the generator ends where drawing on demand (the Python path) leaves it.
    """
    i = ic[I_IU] - 1
    ic[I_IU] = i
    return u[i]


@njit(**_OPTIONS, inline="always")
def _arrived(ic, g, now):
    """An external request arrived: counted if within the window (``Metrics.on_external_arrival``).

    Returns whether it was counted.
    """
    if now >= g[G_WINDOW]:
        return False
    g[G_AREA] += ic[I_PRESENT] * (now - g[G_TLAST])
    g[G_TLAST] = now
    ic[I_PRESENT] += 1
    ic[I_EXT_ARR] += 1
    ic[I_DAY_ARR] += 1
    return True


@njit(**_OPTIONS, inline="always")
def _mix64(z):
    """splitmix64's finalizer (twin of ``keyed.mix64``), on a uint64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(**_OPTIONS, inline="always")
def _keyed_uniform(key, index):
    """The ``index``-th uniform of a request's key (twin of ``keyed.keyed_uniform``)."""
    z = _mix64(np.uint64(key) + np.uint64(index + 1) * np.uint64(0x9E3779B97F4A7C15))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**_OPTIONS, inline="always")
def _exponential(e, ic):
    """The next standard exponential draw (the caller keeps enough: margin ``M_E``)."""
    i = ic[I_IE] - 1
    ic[I_IE] = i
    return e[i]


# ------------------------------------------------------------------ event heap


@njit(**_OPTIONS, inline="always")
def _heap_move(ht, hi, dst, src):
    """Copy heap slot ``src`` (time, sequence, kind and two arguments) into ``dst``."""
    ht[dst] = ht[src]
    hi[dst, 0] = hi[src, 0]
    hi[dst, 1] = hi[src, 1]
    hi[dst, 2] = hi[src, 2]
    hi[dst, 3] = hi[src, 3]


@njit(**_OPTIONS, inline="always")
def _heap_put(ht, hi, j, t, s, kind, a, b):
    """Write an event into heap slot ``j``."""
    ht[j] = t
    hi[j, 0] = s
    hi[j, 1] = kind
    hi[j, 2] = a
    hi[j, 3] = b


@njit(**_OPTIONS, inline="always")
def _schedule(ht, hi, ic, t, kind, a, b):
    ic[I_CLOCKSEQ] += 1
    s = ic[I_CLOCKSEQ]
    j = ic[I_HSIZE]
    ic[I_HSIZE] = j + 1
    while j > 0:
        p = (j - 1) // 2
        if ht[p] > t or (ht[p] == t and hi[p, 0] > s):
            _heap_move(ht, hi, j, p)
            j = p
        else:
            break
    _heap_put(ht, hi, j, t, s, kind, a, b)


@njit(**_OPTIONS, inline="always")
def _heap_pop(ht, hi, ic):
    size = ic[I_HSIZE] - 1
    ic[I_HSIZE] = size
    t = ht[size]
    s, k, a, b = hi[size, 0], hi[size, 1], hi[size, 2], hi[size, 3]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and (ht[c + 1] < ht[c] or (ht[c + 1] == ht[c] and hi[c + 1, 0] < hi[c, 0])):
            c += 1
        if ht[c] < t or (ht[c] == t and hi[c, 0] < s):
            _heap_move(ht, hi, i, c)
            i = c
        else:
            break
    _heap_put(ht, hi, i, t, s, k, a, b)


# ------------------------------------------------------------------ queues (pairing heaps)


@njit(**_OPTIONS, inline="always")
def _before(ri, rf, a, b):
    return rf[a, F_KEY] < rf[b, F_KEY] or (rf[a, F_KEY] == rf[b, F_KEY]
                                           and ri[a, R_SEQ] < ri[b, R_SEQ])


@njit(**_OPTIONS, inline="always")
def _meld(ri, rf, a, b):
    if a < 0:
        return b
    if b < 0:
        return a
    if _before(ri, rf, b, a):
        a, b = b, a
    ri[b, R_QSIB] = ri[a, R_QCHILD]
    ri[a, R_QCHILD] = b
    return a


@njit(**_OPTIONS)
def _queue_pop(ri, rf, pi, p):
    top = pi[p, P_QROOT]
    prev = -1
    c = ri[top, R_QCHILD]
    while c >= 0:
        a = c
        b = ri[a, R_QSIB]
        if b < 0:
            ri[a, R_QSIB] = prev
            prev = a
            break
        nxt = ri[b, R_QSIB]
        ri[a, R_QSIB] = -1
        ri[b, R_QSIB] = -1
        m = _meld(ri, rf, a, b)
        ri[m, R_QSIB] = prev
        prev = m
        c = nxt
    res = -1
    while prev >= 0:
        nxt = ri[prev, R_QSIB]
        ri[prev, R_QSIB] = -1
        res = _meld(ri, rf, res, prev)
        prev = nxt
    pi[p, P_QROOT] = res
    ri[top, R_QCHILD] = -1
    ri[top, R_QSIB] = -1
    return top


# ------------------------------------------------------------------ requests


@njit(**_OPTIONS)
def _new(ri, rf, free, ic, node, parent, level, weight, cust, now):
    ic[I_NFREE] -= 1
    r = free[ic[I_NFREE]]
    ic[I_CREATED] += 1
    ri[r, R_NODE] = node
    ri[r, R_PARENT] = parent
    if parent < 0:
        ri[r, R_ROOT] = r
        ri[r, R_DEPTH] = 0
    else:
        ri[r, R_ROOT] = ri[parent, R_ROOT]
        ri[r, R_DEPTH] = ri[parent, R_DEPTH] + 1
    ri[r, R_PENDING] = 0
    ri[r, R_CUST] = cust
    ri[r, R_SERVER] = -1
    ri[r, R_HANDOFF] = 0
    ri[r, R_ORIGIN] = -1
    ri[r, R_ASSIST] = 0
    ri[r, R_LEVEL] = level
    ri[r, R_FIRST] = -1
    ri[r, R_LAST] = -1
    ri[r, R_NEXT] = -1
    ri[r, R_QCHILD] = -1
    ri[r, R_QSIB] = -1
    ri[r, R_SEQ] = 0
    ri[r, R_PREV] = -1
    ri[r, R_PASSES] = 0
    ri[r, R_LSERVER] = -1
    ri[r, R_CHECK] = 0
    ri[r, R_DEFECT] = 0
    ri[r, R_CAUGHT] = 0
    ri[r, R_PASSED] = 0
    ri[r, R_CFIRST] = -1
    ri[r, R_CLAST] = -1
    ri[r, R_COMPLAINT] = 0
    ri[r, R_SPAWNED] = 0
    ri[r, R_STEP] = 0
    ri[r, R_NEED] = N_SERVICE
    if parent < 0:  # the keys of keyed.root_key and keyed.child_key
        z = np.uint64(ic[I_INKEY]) ^ np.uint64(now * 1099511627776.0)
        if cust < 0:
            z = z ^ np.uint64(0xD1B54A32D192ED03)
        ri[r, R_KEY] = np.int64(_mix64(z))
    else:
        ri[parent, R_SPAWNED] += 1
        ri[r, R_KEY] = np.int64(_mix64(np.uint64(ri[parent, R_KEY])
                                       + np.uint64(ri[parent, R_SPAWNED])
                                       * np.uint64(0xDA942042E4DD58B5)))
    if parent < 0:
        ri[r, R_BATCH] = 0
        ri[r, R_PSERVER] = -1
    else:  # Request.batch and Request.pred: the parent's pass this request follows
        ri[r, R_BATCH] = ri[parent, R_PASSES]
        ri[r, R_PSERVER] = ri[parent, R_LSERVER]
        ri[r, R_PPREV] = ri[parent, R_LPREV]
        rf[r, F_PWAIT] = rf[parent, F_LWAIT]
        rf[r, F_PWORK] = rf[parent, F_LWORK]
        rf[r, F_PPRIOR] = rf[parent, F_LPRIOR]
        rf[r, F_PVACANT] = rf[parent, F_LVACANT]
        rf[r, F_POVER] = rf[parent, F_LOVER]
        rf[r, F_PLEFT] = rf[parent, F_LLEFT]
        rf[r, F_POFFW] = rf[parent, F_LOFFW]
        rf[r, F_POFFK] = rf[parent, F_LOFFK]
    rf[r, F_ARRIVAL] = now
    rf[r, F_READY] = now
    rf[r, F_START] = now
    rf[r, F_FINISH] = now
    rf[r, F_QUALITY] = 0.0
    rf[r, F_HDELAY] = 0.0
    rf[r, F_HOLD] = 0.0
    rf[r, F_SKILL] = 0.0
    rf[r, F_SIZE] = -1.0
    rf[r, F_WEIGHT] = weight
    rf[r, F_DELIVERED] = 0.0
    rf[r, F_KEY] = 0.0
    rf[r, F_QUEUED] = now
    rf[r, F_PRIOR] = 0.0
    rf[r, F_VACANT] = 0.0
    rf[r, F_OVER] = 0.0
    rf[r, F_LEFT] = 0.0
    rf[r, F_CONTENT] = 1.0
    rf[r, F_THOR] = 0.0
    return r


@njit(**_OPTIONS, inline="always")
def _on_chain(ri, r, node):
    """Twin of ``Request.on_chain``: the request, its ancestors, or a root's originator."""
    while True:
        if ri[r, R_NODE] == node:
            return True
        if ri[r, R_PARENT] < 0:
            return ri[r, R_ORIGIN] == node
        r = ri[r, R_PARENT]


@njit(**_OPTIONS)
def _sample_inputs(ri, ei, ew, lo, hi, r, maxdepth, u, ic, out, top):
    """Append the needed input edges of request ``r`` to ``out[top:]``; returns the count.

    Twin of ``simulation.agents.employee.sample_inputs`` (and its ``exclusive_choice``).
    """
    if ri[r, R_DEPTH] >= maxdepth:
        return 0
    key = ri[r, R_KEY]
    chosen = -1
    for j in range(lo, hi):
        if ei[j, E_EXCL]:
            x = _keyed_uniform(key, hi - lo)
            total = 0.0
            for i in range(j, hi):
                if ei[i, E_EXCL]:
                    total += ew[i, W_P]
                    if x < total:
                        chosen = i
                        break
            break
    k = 0
    for j in range(lo, hi):
        p = ew[j, W_P]
        if p <= 0.0:
            continue
        if ei[j, E_EXCL]:
            if j != chosen:
                continue
        elif p < 1.0 and _keyed_uniform(key, j - lo) >= p:
            continue
        if ei[j, E_EXCL] or not _on_chain(ri, r, ei[j, E_TO]):  # a route may come back
            out[top + k] = j
            k += 1
    return k


# ------------------------------------------------------------------ strategies


@njit(**_OPTIONS, inline="always")
def _weight_sum(ri, rf, c):
    total, comp = 0.0, 0.0
    x = c
    while x >= 0:
        total, comp = _add(total, comp, rf[x, F_WEIGHT])
        x = ri[x, R_NEXT]
    return _result(total, comp)


@njit(**_OPTIONS, inline="always")
def _quality(ri, rf, kp, xp, skill, r):
    c = ri[r, R_FIRST]
    if c < 0:
        return skill
    rule = kp[K_QUALITY]
    d = xp[X_D]
    if rule in (COMPENSATORY, COBB_DOUGLAS):  # the sums: twins of the strategies' combine
        wsum = _weight_sum(ri, rf, c)
        total, comp = 0.0, 0.0
        x = c
        while x >= 0:
            if rule == COMPENSATORY:
                term = rf[x, F_DELIVERED] * rf[x, F_WEIGHT]
            else:
                term = rf[x, F_WEIGHT] * _log_quality(rf[x, F_DELIVERED])
            total, comp = _add(total, comp, term)
            x = ri[x, R_NEXT]
        mean_in = _result(total, comp) / wsum
        if rule == COMPENSATORY:
            return _compensatory(skill, mean_in, d)
        return _cobb_douglas(skill, mean_in, d)
    best = skill
    x = c
    while x >= 0:
        if rf[x, F_DELIVERED] < best:
            best = rf[x, F_DELIVERED]
        x = ri[x, R_NEXT]
    return best


@njit(**_OPTIONS)
def _blame(ri, rf, kp, xp, r, shares):
    """Blame shares of request ``r`` into ``shares[0]`` (own skill) and ``shares[1:]``.

    A twin of the strategies' ``blame`` (lists there, linked rows here; tests/test_twins.py).
    """
    skill = rf[r, F_SKILL]
    c = ri[r, R_FIRST]
    if c < 0:
        shares[0] = 1.0
        return 1
    rule = kp[K_QUALITY]
    d = xp[X_D]
    n = 1
    if rule == WEAKEST_LINK:
        best = skill
        worst = 0
        x = c
        while x >= 0:
            if rf[x, F_DELIVERED] < best:
                best = rf[x, F_DELIVERED]
                worst = n
            n += 1
            x = ri[x, R_NEXT]
        for i in range(n):
            shares[i] = 1.0 if i == worst else 0.0
        return n
    wsum = _weight_sum(ri, rf, c)
    if rule == COMPENSATORY:
        shares[0] = (1.0 - d) * (1.0 - skill)
    else:
        shares[0] = -(1.0 - d) * _log_quality(skill)
    x = c
    while x >= 0:
        if rule == COMPENSATORY:
            shares[n] = d * rf[x, F_WEIGHT] / wsum * (1.0 - rf[x, F_DELIVERED])
        else:
            shares[n] = -d * rf[x, F_WEIGHT] / wsum * _log_quality(rf[x, F_DELIVERED])
        n += 1
        x = ri[x, R_NEXT]
    total, comp = 0.0, 0.0
    for i in range(n):
        total, comp = _add(total, comp, shares[i])
    total = _result(total, comp)
    if total <= 0.0:
        shares[0] = 1.0
        for i in range(1, n):
            shares[i] = 0.0
    else:
        for i in range(n):
            shares[i] = shares[i] / total
    return n


@njit(**_OPTIONS, inline="always")
def _work_time(ri, rf, pf, kp, xp, p, r, e, ic):
    mean = pf[p, Q_MEANWORK] * rf[r, F_CONTENT]
    c = ri[r, R_FIRST]
    if c >= 0:  # effort; the loop is a twin of Employee.effort's (tests/test_twins.py)
        total, comp = 0.0, 0.0
        n = 0
        relief = 0.0
        x = c
        while x >= 0:
            q = rf[x, F_DELIVERED]
            total, comp = _add(total, comp, q)
            n += 1
            if ri[x, R_ASSIST] == 1:
                relief = max(relief, _assistance(q, xp[X_RELIEF]))
            x = ri[x, R_NEXT]
        mean *= _effort(_result(total, comp) / n, relief, xp[X_REWORK])
    kind = kp[K_WORKTIME]
    size = rf[r, F_SIZE]
    if kind == DETERMINISTIC:
        return mean
    if kind == EXPONENTIAL:
        if size >= 0.0:
            return mean * size
        return mean * _exponential(e, ic)
    k = kp[K_ERLANG]
    total = 0.0
    for _ in range(k):
        total += _exponential(e, ic)
    return mean * total / k


# ------------------------------------------------------------------ the single servers


@njit(**_OPTIONS, inline="always")
def _begin(ri, rf, pi, pf, ht, hi, ic, kp, xp, e, p, r, now):
    pi[p, P_CURRENT] = r
    pi[p, P_TOKEN] += 1
    w = _work_time(ri, rf, pf, kp, xp, p, r, e, ic)
    period = pi[p, P_PERIOD]
    if period == 0:  # Employee._begin
        rf[r, F_START] = now
        end = now + w
    else:
        rf[r, F_START] = _advance(now, 0.0, pf[p, Q_SHIFT0], pf[p, Q_SHIFT1], pi[p, P_MASK],
                                  period)
        end = _advance(now, w, pf[p, Q_SHIFT0], pf[p, Q_SHIFT1], pi[p, P_MASK], period)
    _schedule(ht, hi, ic, end, FINISH, p, pi[p, P_TOKEN])
    return w


@njit(**_OPTIONS, inline="always")
def _worked_span(pi, pf, p, a, b):
    """``Employee._worked``: time person ``p`` works from ``a`` to ``b``."""
    period = pi[p, P_PERIOD]
    if period == 0:
        return b - a
    s0, s1, mask = pf[p, Q_SHIFT0], pf[p, Q_SHIFT1], pi[p, P_MASK]
    return max(0.0, _worked(b, s0, s1, mask, period) - _worked(a, s0, s1, mask, period))


@njit(**_OPTIONS, inline="always")
def _off_shift(pi, pf, p, a, b):
    """``ServiceChain.off_shift``: time in ``[a, b]`` person ``p`` is off shift."""
    period = pi[p, P_PERIOD]
    if period == 0:
        return 0.0
    s0, s1, mask = pf[p, Q_SHIFT0], pf[p, Q_SHIFT1], pi[p, P_MASK]
    return max(0.0, (b - a) - (_worked(b, s0, s1, mask, period)
                               - _worked(a, s0, s1, mask, period)))


@njit(**_OPTIONS, inline="always")
def _busy_now(pi, pf, rf, p, now):
    """``Employee.busy_until_now``: person ``p``'s busy time, the work in hand included."""
    cur = pi[p, P_CURRENT]
    busy = pf[p, Q_BUSY]
    if cur < 0:
        return busy
    if pi[p, P_PERIOD] == 0:
        return (busy + now) - rf[cur, F_START]
    return busy + _worked_span(pi, pf, p, rf[cur, F_START], now)


@njit(**_OPTIONS)
def _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, r, now):
    node = ri[r, R_NODE]
    p = pos[node, S_SERVER]
    rf[r, F_QUEUED] = now
    rf[r, F_OVER] = 0.0
    if p < 0:  # a vacancy: the work waits for the hire
        ri[r, R_QSIB] = -1
        if pos[node, S_WTAIL] < 0:
            pos[node, S_WHEAD] = r
        else:
            ri[pos[node, S_WTAIL], R_QSIB] = r
        pos[node, S_WTAIL] = r
        return
    pf[p, Q_AREA] += pi[p, P_PRESENT] * (now - pf[p, Q_TLAST])
    pf[p, Q_TLAST] = now
    pi[p, P_PRESENT] += 1
    pi[p, P_ACCEPTED] += 1
    ri[r, R_SERVER] = p
    if pi[p, P_CURRENT] < 0:
        _begin(ri, rf, pi, pf, ht, hi, ic, kp, xp, e, p, r, now)
        return
    disc = kp[K_DISCIPLINE]
    if disc == FCFS:
        key = 0.0
    elif disc == RANK_FIRST:
        key = -float(ri[r, R_LEVEL])
    else:
        root = ri[r, R_ROOT]
        customer = ri[root, R_CUST] >= 0
        key = rf[root, F_ARRIVAL] if customer else INTERNAL_AFTER + rf[r, F_ARRIVAL]
    rf[r, F_KEY] = key
    ic[I_CHAINSEQ] += 1
    ri[r, R_SEQ] = ic[I_CHAINSEQ]
    ri[r, R_QCHILD] = -1
    ri[r, R_QSIB] = -1
    pi[p, P_QROOT] = _meld(ri, rf, pi[p, P_QROOT], r)


# ------------------------------------------------------------------ dispatch (fork)


@njit(**_OPTIONS)
def _fork(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e, parent, k,
          now, nb, fr, check):
    """Create and dispatch the children of ``parent`` for the edges ``nb[:k]``, depth first.

    The order of the recursive ``ServiceChain.dispatch``: a child's own inputs are drawn and
    dispatched before its next sibling is created. Each frame owns ``nb[start:end]``.
    """
    maxdepth = kp[K_MAXDEPTH]
    nf = 1
    fr[0, 0] = parent
    fr[0, 1] = 0
    fr[0, 2] = k
    while nf > 0:
        f = nf - 1
        if fr[f, 1] == fr[f, 2]:
            nf -= 1
            continue
        j = nb[fr[f, 1]]
        fr[f, 1] += 1
        owner = fr[f, 0]
        node = ei[j, E_TO]
        child = _new(ri, rf, free, ic, node, owner, lvl[ri[owner, R_NODE]], ew[j, W_W],
                     np.int64(-1), now)
        ri[child, R_HANDOFF] = ei[j, E_HANDOFF]
        ri[child, R_ASSIST] = ei[j, E_ASSIST]
        ri[child, R_STEP] = ei[j, E_STEP]
        ri[child, R_NEED] = ei[j, E_NEED]
        rf[child, F_CONTENT] = ew[j, W_WORK]
        if check and f == 0:  # a gate's check of ``parent`` (ServiceChain._send_to_gates)
            ri[child, R_CHECK] = 1
            rf[child, F_THOR] = ew[j, W_THOR]
        top = fr[f, 2]
        kk = _sample_inputs(ri, ei, ew, lo[node], lo[node + 1], child, maxdepth, u, ic,
                            nb, top)
        if kk == 0:
            _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, child, now)
        else:
            ri[child, R_PENDING] = kk
            fr[nf, 0] = child
            fr[nf, 1] = top
            fr[nf, 2] = top + kk
            nf += 1


@njit(**_OPTIONS)
def _dispatch(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e, r, now,
              nb, fr):
    node = ri[r, R_NODE]
    k = _sample_inputs(ri, ei, ew, lo[node], lo[node + 1], r, kp[K_MAXDEPTH], u, ic,
                       nb, np.int64(0))  # np.int64: one compiled variant, not one per literal
    if k == 0:
        _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, r, now)
        return
    ri[r, R_PENDING] = k
    _fork(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e, r, k, now,
          nb, fr, np.bool_(False))


# ------------------------------------------------------------------ completion


@njit(**_OPTIONS, inline="always")
def _flow(fk, fv, ic, key, score, response):
    mask = fk.shape[0] - 1
    h = (key * 2654435761) & mask
    while fk[h] != key:
        if fk[h] < 0:
            fk[h] = key
            ic[I_NFLOWS] += 1
            break
        h = (h + 1) & mask
    fv[h, 0] += 1.0
    fv[h, 1] += score
    fv[h, 2] += response


@njit(**_OPTIONS)
def insert_flows(fk, fv, ic, keys, values):
    """Re-insert flow cells into a larger (empty) table."""
    for i in range(keys.shape[0]):
        _flow(fk, fv, ic, keys[i], 0.0, 0.0)
        mask = fk.shape[0] - 1
        h = (keys[i] * 2654435761) & mask
        while fk[h] != keys[i]:
            h = (h + 1) & mask
        fv[h, 0] = values[i, 0]
        fv[h, 1] = values[i, 1]
        fv[h, 2] = values[i, 2]


@njit(**_OPTIONS, inline="always")
def _judged(pi, pf, pos, ic, g, xp, fk, fv, n, provider, customer_node, quality, response):
    requester = pos[customer_node, S_SERVER]
    value = _discounted(quality, response, xp[X_ITOL])
    if requester >= 0:  # Employee.experience
        score = _disconfirmation(value, pf[requester, Q_EXPECT], xp[X_ISENS])
        pf[requester, Q_EXPSUM] += score
        pi[requester, P_EXPN] += 1
        pf[requester, Q_EXPECT] = _smoothed(pf[requester, Q_EXPECT], value, xp[X_ILEARN])
    else:
        score = _disconfirmation(value, xp[X_IEXPECT], xp[X_ISENS])
    pi[provider, P_ISERVED] += 1
    pf[provider, Q_IRESP] += response
    pf[provider, Q_ISCORE] += score
    g[G_ISCORE] += score
    ic[I_INTN] += 1
    g[G_DAY_ISCORE] += score
    ic[I_DAY_INTN] += 1
    _flow(fk, fv, ic, pi[provider, P_NODE] * (n + 2) + customer_node + 1, score, response)


@njit(**_OPTIONS)
def _segment(ri, rf, pi, pf, r):
    """The blame of the pass ``r`` last finished (``ServiceChain._segment``) into its L* columns."""
    p = ri[r, R_SERVER]
    wait = rf[r, F_START] - rf[r, F_QUEUED]
    over = rf[r, F_OVER]
    vacant = rf[r, F_VACANT]
    off_work = _off_shift(pi, pf, p, rf[r, F_START], rf[r, F_FINISH])
    off_wait = _off_shift(pi, pf, p, rf[r, F_QUEUED], rf[r, F_START])
    if ri[r, R_NODE] != pi[p, P_NODE] or rf[r, F_QUEUED] < pf[p, Q_BACKLOG]:
        vacant, wait, over, off_wait = vacant + wait, 0.0, 0.0, 0.0
    rf[r, F_LOFFW] = off_wait
    rf[r, F_LOFFK] = off_work
    ri[r, R_LSERVER] = p
    ri[r, R_LPREV] = ri[r, R_PREV]
    rf[r, F_LWAIT] = wait
    rf[r, F_LOVER] = over
    rf[r, F_LWORK] = rf[r, F_FINISH] - rf[r, F_START]
    rf[r, F_LPRIOR] = rf[r, F_PRIOR]
    rf[r, F_LLEFT] = rf[r, F_LEFT]
    rf[r, F_LVACANT] = vacant


@njit(**_OPTIONS, inline="always")
def _tally(g, delays, row, need, step, kind, days):
    """``ServiceChain._tally``: ``days`` of counted customer delay, to its row and the run's."""
    if delays.shape[1] > 1:
        delays[row, D_CAUSES + kind] += days
        delays[row, D_CAUSES + NKIND + step] += days
    g[G_CAUSES + (need * NSTEP + step) * NKIND + kind] += days


@njit(**_OPTIONS)
def _blame_pass(pf, sv, g, delays, row, node, p, wait, over, work, leaver, prior, left, vacant,
                step, index, need, off_wait, off_work):
    """``ServiceChain._blame_pass``: one pass blamed, and tallied in ``delays[row]``."""
    step = _pass_step(step, index)
    pf[p, Q_BWAIT] += wait + off_work  # all but the work done on shift
    pf[p, Q_BPRIO] += over
    pf[p, Q_BOFF] += off_wait + off_work
    pf[p, Q_BWORK] += work - off_work
    pf[p, Q_BSTEP + step] += wait + work
    if leaver >= 0:
        pf[leaver, Q_BWAIT] += prior
        pf[leaver, Q_BLEFT] += left
        pf[leaver, Q_BSTEP + step] += prior
    sv[node, V_VACANT] += vacant
    sv[node, V_VSTEP + step] += vacant
    _tally(g, delays, row, need, step, KW, work - off_work)
    _tally(g, delays, row, need, step, KC, (wait - off_wait - over) + (prior - left))
    _tally(g, delays, row, need, step, KP, over)
    _tally(g, delays, row, need, step, KU, left + vacant + (off_wait + off_work))


@njit(**_OPTIONS)
def _attribute(ri, rf, pi, pf, sv, g, delays, row, kp, xp, root, sk, skf, shares):
    n = 1  # the critical path (ServiceChain.attribute): each pass, and the last of each batch
    sk[0] = root
    while n > 0:
        n -= 1
        r = sk[n]
        node = ri[r, R_NODE]
        need = ri[r, R_NEED]
        step = ri[r, R_STEP]
        if ri[r, R_PASSED] == 0:  # else the last pass is the one its gates' checks kept
            _segment(ri, rf, pi, pf, r)
            _blame_pass(pf, sv, g, delays, row, node, ri[r, R_LSERVER], rf[r, F_LWAIT],
                        rf[r, F_LOVER], rf[r, F_LWORK], ri[r, R_LPREV], rf[r, F_LPRIOR],
                        rf[r, F_LLEFT], rf[r, F_LVACANT], step, ri[r, R_PASSES], need,
                        rf[r, F_LOFFW], rf[r, F_LOFFK])
        server = ri[r, R_SERVER]
        pf[server, Q_BHOLD] += rf[r, F_HOLD]
        pf[server, Q_BSTEP + step] += rf[r, F_HOLD]
        _tally(g, delays, row, need, step, KH, rf[r, F_HOLD])
        if r != root:
            pf[server, Q_BHAND] += rf[r, F_HDELAY]
            pf[server, Q_BSTEP + step] += rf[r, F_HDELAY]
            _tally(g, delays, row, need, step, KD, rf[r, F_HDELAY])
        for lst in range(2):  # the inputs and reviews, then the checks
            x = ri[r, R_FIRST] if lst == 0 else ri[r, R_CFIRST]
            while x >= 0:
                y = ri[x, R_NEXT]
                last = True
                while y >= 0:
                    if ri[y, R_BATCH] == ri[x, R_BATCH]:
                        last = False
                        break
                    y = ri[y, R_NEXT]
                if last:
                    if ri[x, R_PSERVER] >= 0:  # the pass it checked
                        _blame_pass(pf, sv, g, delays, row, node, ri[x, R_PSERVER],
                                    rf[x, F_PWAIT], rf[x, F_POVER], rf[x, F_PWORK],
                                    ri[x, R_PPREV], rf[x, F_PPRIOR], rf[x, F_PLEFT],
                                    rf[x, F_PVACANT], step, ri[x, R_BATCH] - 1, need,
                                    rf[x, F_POFFW], rf[x, F_POFFK])
                    sk[n] = x
                    n += 1
                x = ri[x, R_NEXT]
    n = 1
    sk[0] = root
    skf[0] = 1.0 - rf[root, F_QUALITY]
    while n > 0:
        n -= 1
        r = sk[n]
        deficit = skf[n]
        if deficit <= 0.0:
            continue
        _blame(ri, rf, kp, xp, r, shares)
        pf[ri[r, R_SERVER], Q_BQUAL] += deficit * shares[0]
        i = 1
        x = ri[r, R_FIRST]
        while x >= 0:
            part = deficit * shares[i]
            i += 1
            lost = 1.0 - rf[x, F_DELIVERED]
            if part > 0.0 and lost > 0.0:
                own = part * (1.0 - rf[x, F_QUALITY]) / lost
                pf[ri[x, R_SERVER], Q_BQUAL] += part - own
                sk[n] = x
                skf[n] = own
                n += 1
            x = ri[x, R_NEXT]


@njit(**_OPTIONS)
def _free_tree(ri, free, ic, root, sk):
    n = 1
    sk[0] = root
    while n > 0:
        n -= 1
        r = sk[n]
        for lst in range(2):  # the inputs and reviews, then the checks
            x = ri[r, R_FIRST] if lst == 0 else ri[r, R_CFIRST]
            while x >= 0:
                sk[n] = x
                n += 1
                x = ri[x, R_NEXT]
        free[ic[I_NFREE]] = r
        ic[I_NFREE] += 1


@njit(**_OPTIONS)
def _finish_root(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, cf, fk, fv, delays, n,
                 root, now, sk, skf, shares):
    cust = ri[root, R_CUST]
    server = ri[root, R_SERVER]
    if cust < 0:
        ic[I_INT_DONE] += 1
        node = ri[root, R_NODE]
        if pos[node, S_MANAGER] == ri[root, R_ORIGIN]:  # a report to the manager: its picture
            sv[node, V_REPORTED] = now
            sv[node, V_LOAD] = pi[server, P_PRESENT]
            sv[node, V_SKILL] = pf[server, Q_SKILL]
        _judged(pi, pf, pos, ic, g, xp, fk, fv, n, server, ri[root, R_ORIGIN],
                rf[root, F_QUALITY], now - rf[root, F_ARRIVAL])
        _free_tree(ri, free, ic, root, sk)
        return
    delay = now - rf[root, F_ARRIVAL]
    quality = rf[root, F_QUALITY]
    failed = False
    counted = rf[root, F_ARRIVAL] < g[G_WINDOW]  # arrived within the measured window
    if ri[root, R_DEFECT] == 1:
        if counted:
            ic[I_DEFECTS] += 1
        failed = xp[X_FAILURE] > 0.0 and _uniform(u, ic) < xp[X_FAILURE]
    value = _discounted(0.0 if failed else quality, delay, xp[X_PATIENCE])
    s = _disconfirmation(value, cf[cust, C_EXPECT], xp[X_SENS])
    cf[cust, C_SAT] = _smoothed(cf[cust, C_SAT], s, xp[X_SATW])
    cf[cust, C_EXPECT] = _smoothed(cf[cust, C_EXPECT], value, xp[X_LEARN])
    cf[cust, C_SERVED] += 1.0
    price = 0.0 if ri[root, R_COMPLAINT] == 1 else xp[X_PRICE]
    row = -1
    if counted:
        g[G_AREA] += ic[I_PRESENT] * (now - g[G_TLAST])
        g[G_TLAST] = now
        ic[I_PRESENT] -= 1
        ic[I_EXT_DONE] += 1
        g[G_DELAY] += delay
        row = ic[I_NDELAYS]
        delays[row, D_DELAY] = delay
        if delays.shape[1] > 1:
            delays[row, D_ARRIVAL] = rf[root, F_ARRIVAL]
            delays[row, D_CAUSES:] = 0.0
        ic[I_NDELAYS] += 1
        g[G_QUALITY] += quality
        g[G_SAT] += s
        g[G_REVENUE] += price
    g[G_DAY_QUALITY] += quality
    g[G_DAY_SAT] += s
    ic[I_DAY_DONE] += 1
    g[G_DAY_REVENUE] += price
    _flow(fk, fv, ic, pi[server, P_NODE] * (n + 2), s, delay)
    pi[server, P_ESERVED] += 1
    if counted:  # a request of the run-out is not blamed (ServiceChain.attribute)
        _attribute(ri, rf, pi, pf, sv, g, delays, row, kp, xp, root, sk, skf, shares)
    _free_tree(ri, free, ic, root, sk)
    if failed:  # the customer comes back with a complaint (ServiceChain._complain)
        _schedule(ht, hi, ic, now, COMPLAIN, cust, 0)


@njit(**_OPTIONS)
def _deliver(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, e, cf, fk, fv, delays,
             n, child, now, sk, skf, shares):
    """Deliver ``child`` to its parent (``ServiceChain._deliver``).

    A gate's check may release the parent, whose own delivery follows in the same loop
    (``ServiceChain._checked`` and ``_pass_on``).
    """
    while True:
        rf[child, F_HDELAY] = (max(0.0, now - rf[child, F_FINISH] - rf[child, F_HOLD])
                               if ri[child, R_HANDOFF] == 1 and xp[X_HMEAN] > 0.0 else 0.0)
        quality = rf[child, F_QUALITY]
        if ri[child, R_HANDOFF] == 1:
            quality = _handed_over(quality, xp[X_HKEEP])
        rf[child, F_DELIVERED] = quality
        parent = ri[child, R_PARENT]
        ri[child, R_NEXT] = -1
        if ri[child, R_CHECK] == 0:
            if ri[parent, R_LAST] < 0:
                ri[parent, R_FIRST] = child
            else:
                ri[ri[parent, R_LAST], R_NEXT] = child
            ri[parent, R_LAST] = child
            _judged(pi, pf, pos, ic, g, xp, fk, fv, n, ri[child, R_SERVER], ri[parent, R_NODE],
                    quality, now - rf[child, F_ARRIVAL])
            ri[parent, R_PENDING] -= 1
            if ri[parent, R_PENDING] == 0:
                rf[parent, F_READY] = now
                _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, parent, now)
            return
        _judged(pi, pf, pos, ic, g, xp, fk, fv, n, ri[child, R_SERVER], ri[parent, R_NODE],
                quality, now - rf[child, F_ARRIVAL])
        if ri[parent, R_CLAST] < 0:  # the checks, in delivery order
            ri[parent, R_CFIRST] = child
        else:
            ri[ri[parent, R_CLAST], R_NEXT] = child
        ri[parent, R_CLAST] = child
        if ri[parent, R_DEFECT] == 1 and _uniform(u, ic) < rf[child, F_THOR] * rf[child, F_SKILL]:
            ri[parent, R_CAUGHT] = 1
        ri[parent, R_PENDING] -= 1
        if ri[parent, R_PENDING] > 0:
            return
        if ri[parent, R_CAUGHT] == 1:  # back for another pass
            rf[parent, F_READY] = now
            _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, parent, now)
            return
        ri[parent, R_PASSED] = 1  # released by its gates: passed on (ServiceChain._pass_on)
        rf[parent, F_FINISH] = now
        ic[I_COMPLETED] += 1
        delay = _held(ri, rf, sv, e, ic, parent)
        if ri[parent, R_PARENT] < 0:
            if delay > 0.0:
                _schedule(ht, hi, ic, now + delay, RELEASE, parent, 0)
            else:
                _finish_root(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, cf, fk,
                             fv, delays, n, parent, now, sk, skf, shares)
            return
        if ri[parent, R_HANDOFF] == 1 and xp[X_HMEAN] > 0.0:
            delay += xp[X_HMEAN] * _exponential(e, ic)
        if delay > 0.0:
            _schedule(ht, hi, ic, now + delay, DELIVER, parent, 0)
            return
        child = parent


@njit(**_OPTIONS)
def _complete(ri, rf, free, pi, pf, pos, sv, lvl, ht, hi, ic, g, kp, xp, ei, ew, lo, rlo, glo,
              u, e, cf, fk, fv, delays, r, now, nb, fr, sk, skf, shares):
    n = pos.shape[0]
    ic[I_SERVICES] += 1
    node = ri[r, R_NODE]
    if kp[K_DEFECTS] == 1:
        ri[r, R_DEFECT] = 1 if _uniform(u, ic) < 1.0 - rf[r, F_QUALITY] else 0
    if rlo[node + 1] > rlo[node] and ri[r, R_DEPTH] < kp[K_MAXDEPTH]:
        k = 0  # the reviews this work needs; it comes back for another pass after them
        for j in range(rlo[node], rlo[node + 1]):
            if _uniform(u, ic) < ew[j, W_P] and not _on_chain(ri, r, ei[j, E_TO]):
                nb[k] = j
                k += 1
        if k > 0:
            ri[r, R_PENDING] = k
            rf[r, F_SIZE] = -1.0
            _segment(ri, rf, pi, pf, r)  # the pass just finished, kept by its reviews
            ri[r, R_PASSES] += 1
            rf[r, F_PRIOR] = 0.0
            rf[r, F_LEFT] = 0.0
            ri[r, R_PREV] = -1
            rf[r, F_VACANT] = 0.0
            _fork(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e,
                  r, np.int64(k), now, nb, fr, np.bool_(False))
            return
    if glo[node + 1] > glo[node] and ri[r, R_DEPTH] < kp[K_MAXDEPTH]:
        k = 0  # the quality gates that check this work (Employee.needs_approval)
        for j in range(glo[node], glo[node + 1]):
            if ((ri[r, R_CAUGHT] == 1 or _uniform(u, ic) < ew[j, W_P])
                    and not _on_chain(ri, r, ei[j, E_TO])):
                nb[k] = j
                k += 1
        if k > 0:
            ri[r, R_PENDING] = k
            rf[r, F_SIZE] = -1.0
            _segment(ri, rf, pi, pf, r)
            ri[r, R_PASSES] += 1
            rf[r, F_PRIOR] = 0.0
            rf[r, F_LEFT] = 0.0
            ri[r, R_PREV] = -1
            rf[r, F_VACANT] = 0.0
            ri[r, R_CAUGHT] = 0
            _fork(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e,
                  r, np.int64(k), now, nb, fr, np.bool_(True))
            return
    ic[I_COMPLETED] += 1
    delay = _held(ri, rf, sv, e, ic, r)  # twin: ServiceChain._pass_on
    if ri[r, R_PARENT] < 0:
        if delay > 0.0:
            _schedule(ht, hi, ic, now + delay, RELEASE, r, 0)
        else:
            _finish_root(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, cf, fk, fv,
                         delays, n, r, now, sk, skf, shares)
        return
    if ri[r, R_HANDOFF] == 1 and xp[X_HMEAN] > 0.0:
        delay += xp[X_HMEAN] * _exponential(e, ic)
    if delay > 0.0:
        _schedule(ht, hi, ic, now + delay, DELIVER, r, 0)
    else:
        _deliver(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, e, cf, fk, fv, delays,
                 n, r, now, sk, skf, shares)


@njit(**_OPTIONS, inline="always")
def _held(ri, rf, sv, e, ic, r):
    """The hold finished work ``r`` waits at its position before it is passed on (0: none)."""
    node = ri[r, R_NODE]
    hold = sv[node, V_HOLD]
    if hold > 0.0:
        e1 = _exponential(e, ic)
        if sv[node, V_HOLDCV] > 1.0:
            rf[r, F_HOLD] = _hyperexponential(hold, sv[node, V_HOLDCV], e1, _exponential(e, ic))
        else:
            rf[r, F_HOLD] = hold * e1
        return rf[r, F_HOLD]
    return 0.0


@njit(**_OPTIONS)
def _overtake(ri, rf, top, seq, w, sk):
    """``Employee._overtake``: the queued work older than ``seq`` waits ``w`` more, overtaken.

    Every node of the pairing heap rooted at ``top``, by its children and next siblings.
    """
    n = 1
    sk[0] = top
    while n > 0:
        n -= 1
        x = sk[n]
        if ri[x, R_SEQ] < seq:
            rf[x, F_OVER] += w
        c = ri[x, R_QCHILD]
        if c >= 0:
            sk[n] = c
            n += 1
        c = ri[x, R_QSIB]
        if c >= 0:
            sk[n] = c
            n += 1


@njit(**_OPTIONS)
def _finish(ri, rf, free, pi, pf, pos, sv, lvl, ht, hi, ic, g, kp, xp, ei, ew, lo, rlo, glo, u,
            e, cf, fk, fv, delays, p, token, now, nb, fr, sk, skf, shares, ph, edges):
    r = pi[p, P_CURRENT]
    if token != pi[p, P_TOKEN] or r < 0:
        return  # the work was handed over when this employee left
    pi[p, P_CURRENT] = -1
    rf[r, F_FINISH] = now
    skill = pf[p, Q_SKILL]
    rf[r, F_SKILL] = skill
    rf[r, F_QUALITY] = _quality(ri, rf, kp, xp, skill, r)
    pf[p, Q_BUSY] += _worked_span(pi, pf, p, rf[r, F_START], now)
    pi[p, P_TASKS] += 1
    pf[p, Q_AREA] += pi[p, P_PRESENT] * (now - pf[p, Q_TLAST])
    pf[p, Q_TLAST] = now
    pi[p, P_PRESENT] -= 1
    pf[p, Q_SOJOURN] += now - rf[r, F_QUEUED]
    if ph.shape[1] > 1:  # twin of ServiceChain.complete's Metrics.on_visit
        ph[ri[r, R_NODE], np.searchsorted(edges, now - rf[r, F_READY], side="right")] += 1
    _complete(ri, rf, free, pi, pf, pos, sv, lvl, ht, hi, ic, g, kp, xp, ei, ew, lo, rlo, glo, u,
              e, cf, fk, fv, delays, r, now, nb, fr, sk, skf, shares)
    if pi[p, P_QROOT] >= 0 and pi[p, P_CURRENT] < 0:
        nxt = _queue_pop(ri, rf, pi, p)
        w = _begin(ri, rf, pi, pf, ht, hi, ic, kp, xp, e, p, nxt, now)
        if kp[K_DISCIPLINE] != FCFS and pi[p, P_QROOT] >= 0:  # none is overtaken under FCFS
            _overtake(ri, rf, pi[p, P_QROOT], ri[nxt, R_SEQ], w, sk)
    elif pi[p, P_CURRENT] < 0 and pf[p, Q_BACKLOG] == math.inf:
        pf[p, Q_BACKLOG] = now  # first idle: the vacancy's backlog is worked off


# ------------------------------------------------------------------ the day


@njit(**_OPTIONS)
def run_until(end, ri, rf, free, pi, pf, pos, sv, lvl, ht, hi, ic, g, kp, xp, ei, ew, lo, rlo,
              glo, sch,
              u, e, cf, chome, fk, fv, delays, arr_t, arr_c, day_cust,
              day_size, nb, fr, sk, skf, shares, mg, ph, edges):
    """Process every event and arrival at or before ``end``; returns ``DONE`` or another status.

    ``GROW_*`` or ``NEED_DRAWS`` is returned before an event that could run out of room (``mg``:
    the margins), with nothing changed, so the caller enlarges the arrays or tops up the work
    stream's buffer (``NEED_DRAWS``) or the decisions stream's (``NEED_UNIFORMS``) and calls
    again. ``ph``: each position's sojourn histogram over ``edges`` (shape (1, 1): none kept).
    """
    i = ic[I_ARR]
    n_arr = ic[I_NARR]
    inf = math.inf
    while True:
        if ic[I_IE] < mg[M_E]:
            ic[I_ARR] = i
            return NEED_DRAWS
        if ic[I_IU] < mg[M_U]:
            ic[I_ARR] = i
            return NEED_UNIFORMS
        if ic[I_NFREE] < mg[M_POOL]:
            ic[I_ARR] = i
            return GROW_POOL
        if ic[I_HSIZE] + mg[M_HEAP] > ht.shape[0]:
            ic[I_ARR] = i
            return GROW_HEAP
        if ic[I_NDELAYS] >= delays.shape[0]:
            ic[I_ARR] = i
            return GROW_DELAYS
        if 2 * (ic[I_NFLOWS] + 2) > fk.shape[0]:
            ic[I_ARR] = i
            return GROW_FLOWS
        t_arr = arr_t[i] if i < n_arr else inf
        if ic[I_HSIZE] > 0 and ht[0] <= t_arr:
            if ht[0] > end:
                break
            now = ht[0]
            kind = hi[0, 1]
            a = hi[0, 2]
            b = hi[0, 3]
            _heap_pop(ht, hi, ic)
            g[G_NOW] = now
            if kind == FINISH:
                _finish(ri, rf, free, pi, pf, pos, sv, lvl, ht, hi, ic, g, kp, xp, ei, ew, lo,
                        rlo, glo, u, e, cf, fk, fv, delays, a, b, now, nb, fr, sk, skf, shares,
                        ph, edges)
            elif kind == RELEASE:  # a root's hold is over: to its customer or requester
                _finish_root(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, cf, fk, fv,
                             delays, pos.shape[0], a, now, sk, skf, shares)
            elif kind == COMPLAIN:  # failure demand: customer ``a`` back with a complaint
                if _arrived(ic, g, now):
                    ic[I_COMPLAINTS] += 1
                r = _new(ri, rf, free, ic, chome[a], np.int64(-1), np.int64(-1), 1.0, a, now)
                ri[r, R_COMPLAINT] = 1
                _dispatch(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e,
                          r, now, nb, fr)
            else:
                _deliver(ri, rf, free, pi, pf, pos, sv, ht, hi, ic, g, kp, xp, u, e, cf, fk, fv,
                         delays, pos.shape[0], a, now, sk, skf, shares)
        else:
            if t_arr > end:
                break
            now = t_arr
            g[G_NOW] = now
            code = arr_c[i]
            i += 1
            ic[I_ARR] = i
            if code >= 0:
                cust = day_cust[code]
                _arrived(ic, g, now)
                r = _new(ri, rf, free, ic, chome[cust], np.int64(-1), np.int64(-1), 1.0,
                         cust, now)
                rf[r, F_SIZE] = day_size[code]
                _dispatch(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo, u, e,
                          r, now, nb, fr)
            else:
                s = -1 - code
                origin = sch[s, 0]
                if pos[origin, S_OCCUPANT] >= 0:  # somebody in the position to ask
                    if ei[sch[s, 2], E_DIRECT]:
                        origin = _coached(pos, sv, origin)
                    ic[I_INT_ARR] += 1
                    r = _new(ri, rf, free, ic, sch[s, 1], np.int64(-1), lvl[origin],
                             ew[sch[s, 2], W_W], np.int64(-1), now)
                    ri[r, R_ORIGIN] = origin
                    rf[r, F_CONTENT] = ew[sch[s, 2], W_WORK]
                    _dispatch(ri, rf, free, pi, pf, pos, lvl, ht, hi, ic, kp, xp, ei, ew, lo,
                              u, e, r, now, nb, fr)
        ic[I_EVENTS] += 1
    ic[I_ARR] = i
    g[G_NOW] = end
    return DONE


@njit(**_OPTIONS)
def _coached(pos, sv, p):
    """``ServiceChain.coached``: the least skilled of ``p``'s team by the latest reports."""
    best, skill = -1, math.inf
    q = p
    while True:
        s = sv[q, V_SKILL]
        if (sv[q, V_REPORTED] >= 0.0 and (s < skill or (s == skill and best >= 0 and q < best))
                and pos[q, S_OCCUPANT] >= 0 and pos[q, S_SERVER] == pos[q, S_OCCUPANT]):
            best, skill = q, s
        q = pos[q, S_TNEXT]
        if q == p:
            break
    if best < 0:
        return p
    sv[best, V_SKILL] = math.inf
    return best


# ------------------------------------------------------------------ people come and go


@njit(**_OPTIONS)
def hand_over(p, now, ri, rf, pi, pf, out):
    """Person ``p`` leaves: their work in progress, then their queue in order, into ``out``."""
    pf[p, Q_AREA] += pi[p, P_PRESENT] * (now - pf[p, Q_TLAST])
    pf[p, Q_TLAST] = now
    k = 0
    cur = pi[p, P_CURRENT]
    if cur >= 0:
        pf[p, Q_BUSY] += _worked_span(pi, pf, p, rf[cur, F_START], now)
        out[k] = cur
        k += 1
        pi[p, P_CURRENT] = -1
    while pi[p, P_QROOT] >= 0:
        out[k] = _queue_pop(ri, rf, pi, p)
        k += 1
    for i in range(k):  # the time with the leaver goes with the work (Employee.hand_over)
        r = out[i]
        pf[p, Q_SOJOURN] += now - rf[r, F_QUEUED]
        if ri[r, R_NODE] != pi[p, P_NODE] or rf[r, F_QUEUED] < pf[p, Q_BACKLOG]:
            rf[r, F_VACANT] += now - rf[r, F_QUEUED]
        else:
            rf[r, F_PRIOR] += now - rf[r, F_QUEUED]
            rf[r, F_LEFT] += now - rf[r, F_QUEUED]
            ri[r, R_PREV] = p
    pi[p, P_HANDED] += k
    pi[p, P_TOKEN] += 1
    pi[p, P_PRESENT] = 0
    return k


@njit(**_OPTIONS)
def take_waiting(node, pos, ri, rf, now, out):
    """The work held at a vacant position, in arrival order (the list is emptied)."""
    k = 0
    r = pos[node, S_WHEAD]
    while r >= 0:
        rf[r, F_VACANT] += now - rf[r, F_QUEUED]
        out[k] = r
        k += 1
        r = ri[r, R_QSIB]
    pos[node, S_WHEAD] = -1
    pos[node, S_WTAIL] = -1
    return k


@njit(**_OPTIONS)
def accept_all(work, k, now, ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e):
    """Accept ``work[:k]`` in order, each at its position's current server."""
    for i in range(k):
        _accept(ri, rf, pi, pf, pos, ht, hi, ic, kp, xp, e, work[i], now)


# ------------------------------------------------------------------ the people's day

# people_day parameters
D_RES_MEMORY, D_DEM_MEMORY, D_ADJUST, D_BASELINE, D_RES_EFFECT, D_RES_REF = range(6)
D_DEM_EFFECT, D_DEM_REF, D_Q_EFFECT, D_S_EFFECT, D_EXPONENT, D_QUIT_BASE = range(6, 12)
D_QUIT_SENS, D_QUIT_REF = range(12, 14)
ND = 14


# people_day rows: the employees' attributes, read and written back by the caller
Y_MORALE, Y_RESOURCES, Y_LOAD, Y_PROF, Y_GAP, Y_TENURE, Y_SKILL, Y_RATE = range(8)
Y_USED, Y_TASKS = range(8, 10)
NY = 10


@njit(**_OPTIONS)
def people_day(y, pids, pi, pf, rf, snapshot, now, dynamic, dp, draws, quitting):
    """``utilisation_since_last``, ``step_day`` and ``will_quit`` for every employee, in place.

    ``y[:, i]`` holds employee ``i``'s attributes (person ``pids[i]``); the day's utilisation,
    tasks done, and the new effective skill and mean work time are written to ``y`` and the
    person rows. The arithmetic of ``learn``, ``update_morale``, ``target_morale``,
    ``refresh`` and ``quit_probability``; ``draws[i]`` is employee ``i``'s position's quit
    draw today. Returns how many quit (indices in ``quitting``).
    """
    n = y.shape[1]
    for i in range(n):
        p = pids[i]
        total = _busy_now(pi, pf, rf, p, now)
        y[Y_USED, i] = total - snapshot[p]
        snapshot[p] = total
        tasks = pi[p, P_TASKS]
        y[Y_TASKS, i] = tasks
        y[Y_TENURE, i] += 1.0
        if dynamic:
            gap = y[Y_GAP, i]
            if gap > 0.0:
                y[Y_PROF, i] = _proficiency(gap, tasks, dp[D_EXPONENT])
            if pi[p, P_EXPN]:
                day_mean = pf[p, Q_EXPSUM] / pi[p, P_EXPN]
                y[Y_RESOURCES, i] = _averaged(y[Y_RESOURCES, i], day_mean, dp[D_RES_MEMORY])
            y[Y_LOAD, i] = _averaged(y[Y_LOAD, i], y[Y_USED, i], dp[D_DEM_MEMORY])
            target = _target_morale(dp[D_BASELINE], dp[D_RES_EFFECT], y[Y_RESOURCES, i],
                                    dp[D_RES_REF], dp[D_DEM_EFFECT], y[Y_LOAD, i],
                                    dp[D_DEM_REF])
            y[Y_MORALE, i] = _smoothed(y[Y_MORALE, i], target, dp[D_ADJUST])
            g = y[Y_MORALE, i] - dp[D_BASELINE]
            pf[p, Q_SKILL] = _effective_skill(y[Y_SKILL, i], y[Y_PROF, i], dp[D_Q_EFFECT], g)
            speed = _speed(y[Y_PROF, i], dp[D_S_EFFECT], g)
        else:
            pf[p, Q_SKILL] = y[Y_SKILL, i]
            speed = 1.0
        pf[p, Q_EXPSUM] = 0.0
        pi[p, P_EXPN] = 0
        rate = y[Y_RATE, i]
        pf[p, Q_MEANWORK] = _mean_work(rate, speed)
    k = 0
    if dynamic:
        for i in range(n):
            p = _quit_probability(dp[D_QUIT_BASE], dp[D_QUIT_SENS], dp[D_QUIT_REF],
                                  y[Y_MORALE, i])
            if draws[i] < p:
                quitting[k] = i
                k += 1
    return k


@njit(**_OPTIONS)
def customers_day(cf, cids, slots, draws, churn, base, loyalty, talk, talk_rate,
                  negative_ratio, leaving):
    """Churn then word of mouth, customer by customer, as the ``Customer`` methods do them.

    ``leave_probability`` and ``will_leave`` with the slot's draw, then ``word_of_mouth``
    summed in order for those who stay (libm's ``exp`` and plain sums, like the loop in
    ``OrgModel._customers_day``). Returns how many leave (indices in ``leaving``) and the
    expected positive and negative messages.
    """
    k = 0
    positive, negative = 0.0, 0.0
    for i in range(cids.shape[0]):
        s = cf[cids[i], 0]
        if churn and draws[slots[i]] < _leave_probability(s, base, loyalty):
            leaving[k] = i
            k += 1
            continue
        if talk:
            pos, neg = _word_of_mouth(s, talk_rate, negative_ratio)
            positive += pos
            negative += neg
    return k, positive, negative


@njit(**_OPTIONS)
def histogram_add(edges, counts, values, n):
    """Count ``values[:n]`` into ``counts`` as ``searchsorted(edges, v, side="right")`` bins."""
    for j in range(n):
        v = values[j]
        lo, hi = 0, edges.shape[0]
        while lo < hi:
            mid = (lo + hi) // 2
            if edges[mid] <= v:
                lo = mid + 1
            else:
                hi = mid
        counts[lo] += 1


@njit(**_OPTIONS)
def give_back(p, k, now, ri, rf, pi, pf, out):
    """Person ``p`` gives up the last ``k`` of their post's own queued requests.

    As ``Employee.give_back``: the queue is popped in order and the rest melded back as it
    was; the ones given up go to ``out`` (returned count) with the time they spent here, as a
    hand-over.
    """
    node = pi[p, P_NODE]
    n = 0
    while pi[p, P_QROOT] >= 0:
        out[n] = _queue_pop(ri, rf, pi, p)
        n += 1
    cut = n  # the moved ones are the own work from ``cut`` on
    own = 0
    while cut > 0 and own < k:
        cut -= 1
        if ri[out[cut], R_NODE] == node:
            own += 1
    for i in range(n):
        r = out[i]
        if i < cut or ri[r, R_NODE] != node:
            ri[r, R_QCHILD] = -1
            ri[r, R_QSIB] = -1
            pi[p, P_QROOT] = _meld(ri, rf, pi[p, P_QROOT], r)
    pf[p, Q_AREA] += pi[p, P_PRESENT] * (now - pf[p, Q_TLAST])
    pf[p, Q_TLAST] = now
    m = 0
    for i in range(cut, n):
        if ri[out[i], R_NODE] == node:
            out[m] = out[i]
            m += 1
    for i in range(m):
        r = out[i]
        pf[p, Q_SOJOURN] += now - rf[r, F_QUEUED]
        rf[r, F_PRIOR] += now - rf[r, F_QUEUED]
        ri[r, R_PREV] = p
    pi[p, P_PRESENT] -= m
    pi[p, P_HANDED] += m
    return m
