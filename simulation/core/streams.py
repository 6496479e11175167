"""Random number streams: one seed, independent streams per purpose (common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_BLOCK = 4096

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


class Stream:
    """A buffered view of one ``numpy.random.Generator`` for fast scalar draws in the event loop.

    Scalar draws from numpy cost about a microsecond each; drawing blocks of 4,096 and reading
    them one by one (from the end) costs a tenth of that. The buffers are arrays the compiled
    engine reads too (after ``reserve``), so both engines consume one sequence.

    Attributes:
        gen: The generator.
        u: Buffer of uniform draws; ``iu`` of them are left (read from index ``iu - 1`` down).
        e: Buffer of standard exponential draws; ``ie`` of them are left.
    """

    __slots__ = ("_lent", "e", "gen", "ie", "iu", "u")

    def __init__(self, gen: np.random.Generator) -> None:
        self.gen = gen
        self.u = np.empty(_BLOCK)
        self.iu = 0
        self.e = np.empty(_BLOCK)
        self.ie = 0
        self._lent: list[dict] = []  # the generator's state before each block lent

    def random(self) -> float:
        """One uniform draw on [0, 1)."""
        i = self.iu
        if i == 0:
            self.u = self.gen.random(_BLOCK)
            i = _BLOCK
        i -= 1
        self.iu = i
        return self.u.item(i)

    def exponential(self) -> float:
        """One standard exponential draw (mean 1)."""
        i = self.ie
        if i == 0:
            self.e = self.gen.standard_exponential(_BLOCK)
            i = _BLOCK
        i -= 1
        self.ie = i
        return self.e.item(i)

    def reserve(self, uniforms: int = 0, exponentials: int = 0) -> None:
        """Hold at least this many draws of each kind, in the order they would come anyway.

        Whole blocks are drawn ahead and placed before the draws left (which are read first),
        so the sequence is the one ``random()`` and ``exponential()`` give one by one.
        """
        if self.iu < uniforms:
            blocks = -(-(uniforms - self.iu) // _BLOCK)
            ahead = self.gen.random((blocks, _BLOCK))[::-1].ravel()
            self.u = np.concatenate([ahead, self.u[:self.iu]])
            self.iu += blocks * _BLOCK
        if self.ie < exponentials:
            blocks = -(-(exponentials - self.ie) // _BLOCK)
            ahead = self.gen.standard_exponential((blocks, _BLOCK))[::-1].ravel()
            self.e = np.concatenate([ahead, self.e[:self.ie]])
            self.ie += blocks * _BLOCK

    def lend(self, uniforms: int) -> None:
        """Hold at least this many uniform draws, though they may not all be read.

        Blocks are drawn ahead as by ``reserve``, each remembering the generator's state before
        it; :meth:`settle` then gives back the blocks never read. The compiled engine uses this
        to run without the generator, which costs 8 us a call to hand over.
        """
        while self.iu < uniforms:
            self._lent.append(self.gen.bit_generator.state)
            self.reserve(uniforms=self.iu + 1)  # one block

    def settle(self) -> None:
        """Give back the lent blocks not read, and the generator's state from before them.

        The stream is then exactly where drawing on demand would have left it, so later draws,
        from the buffers or from the generator directly, are the same. Lent blocks of which any
        draw was read stay (drawing on demand would have drawn them too).
        """
        lent = len(self._lent)
        if not lent:
            return
        unread = min(lent, self.iu // _BLOCK)  # the last blocks lent sit at the bottom
        if unread:
            self.gen.bit_generator.state = self._lent[lent - unread]
            cut = unread * _BLOCK
            self.u = self.u[cut:self.iu].copy()
            self.iu -= cut
        self._lent.clear()


class SeedError(TypeError, ValueError):
    """Not a seed: neither a non-negative integer (or a list of them), a seed sequence nor None."""


@dataclass(frozen=True)
class Streams:
    """The model's random streams, one per purpose, all spawned from one ``SeedSequence``.

    Attributes:
        seed_sequence: The root seed sequence (its entropy and spawn key re-create the run).
        arrivals: Customer requests, drawn in a fixed layout per customer slot (with each
            request's own work draw), so every design sees the same customers' requests.
        internal: Scheduled internal requests (reports, coaching, payroll runs).
        work: Work times of sub-requests and handoff delays.
        decisions: Within the day: which inputs and checks a work item needs, defects,
            complaints.
        churn: Each customer slot's daily leaving draw (fixed layout, as arrivals).
        structure: Random choices made while building the organization graph.
        quits: Each position's daily quit draw and hiring delay (fixed layout by position), so
            that position ``p`` on day ``d`` gets the same draws in every design with as many
            positions (a design of another size shares only the first day's quit draws).
        customers: Each new customer's attributes, in the order they join (home position,
            expectation): the ``k``-th customer is the same person in every design.
        acquisition: Each day's word-of-mouth and acquisition draws (three uniforms a day,
            turned into Poisson counts by inversion, so a higher rate gives a count no lower).
        inputs: The run's 64-bit key of the draws keyed by request (which inputs a request
            needs: :func:`simulation.core.keyed.keyed_uniform`).
    """

    seed_sequence: np.random.SeedSequence
    arrivals: Stream
    internal: Stream
    work: Stream
    decisions: Stream
    churn: Stream
    structure: np.random.Generator
    quits: np.random.Generator
    customers: np.random.Generator
    acquisition: np.random.Generator
    inputs: int

    @classmethod
    def from_seed(cls, seed: SeedLike) -> tuple[Streams, np.random.Generator]:
        """Spawn the streams and the model's own generator from one seed.

        Args:
            seed: An int, a ``SeedSequence``, a ``Generator`` (only its seed sequence is used,
                not its state), or None for fresh OS entropy (recorded in
                ``seed_sequence.entropy``).

        Returns:
            The streams and the generator to hand to Mesa as ``model.rng``.
        """
        if isinstance(seed, np.random.Generator):
            ss = seed.bit_generator.seed_seq
            if not isinstance(ss, np.random.SeedSequence):
                raise TypeError("a Generator passed as rng must be seeded with a SeedSequence")
        elif isinstance(seed, np.random.SeedSequence):
            ss = seed
        else:
            try:
                ss = np.random.SeedSequence(seed)
            except (TypeError, ValueError):
                raise SeedError(f"rng = {seed!r} is not allowed: a seed (an integer >= 0 or a "
                                "list of them), a numpy SeedSequence or Generator, or None for "
                                "fresh entropy") from None
        # Children derived from (entropy, spawn_key) rather than ss.spawn(), which would mutate
        # the caller's SeedSequence: the same seed object must give the same run every time.
        children = [
            np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i),
                                   pool_size=ss.pool_size)
            for i in range(11)
        ]
        gens = [np.random.Generator(np.random.PCG64(c)) for c in children]
        streams = cls(
            seed_sequence=ss,
            arrivals=Stream(gens[1]),
            internal=Stream(gens[2]),
            work=Stream(gens[3]),
            decisions=Stream(gens[4]),
            churn=Stream(gens[5]),
            structure=gens[6],
            quits=gens[7],
            customers=gens[8],
            acquisition=gens[9],
            inputs=int(children[10].generate_state(1, np.uint64)[0]),
        )
        return streams, gens[0]
