"""How long one day of the live page takes: the model's step and the three pictures it redraws.

For each design, the median of 10 days (after 20 days of warm-up) of ``model.step()`` and of
drawing and encoding each figure as PNG, as the page does on every step; side by side with the
step, so the ratio says what paces Play.

    python benchmarks/bench_live.py
"""

from __future__ import annotations

import io
import statistics
import time

from simulation.live import figures
from simulation.live.model import LiveModel

DAYS = 10


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def png(draw, model) -> None:
    draw(model).savefig(io.BytesIO(), format="png")


def main() -> None:
    print(f"the live page, medians of {DAYS} days (seconds)")
    print(f"  {'design':<18}{'step':>8}{'network':>10}{'trends':>9}{'breaks':>9}{'draw/step':>11}")
    for design in ("silos", "pyramid"):
        model = LiveModel(design=design, rng=1)
        model.run_for(20)
        rows = []
        for _ in range(DAYS):
            step = timed(model.step)
            draws = [timed(lambda f=f, m=model: png(f, m))
                     for f in (figures.network, figures.trends, figures.chain_breaks)]
            rows.append((step, *draws))
        med = [statistics.median(col) for col in zip(*rows, strict=True)]
        print(f"  {design:<18}{med[0]:8.3f}{med[1]:10.3f}{med[2]:9.3f}{med[3]:9.3f}"
              f"{sum(med[1:]) / med[0]:10.0f}x")


if __name__ == "__main__":
    main()
