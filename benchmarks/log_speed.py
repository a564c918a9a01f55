"""What the screening log costs a batch: `cart-screen batch` with and without `--log` on SQLite.

Goal (issue 11): logging a 100,000-record list costs at most 1.5× the same batch without the
log. With the log, each screening is stored with its full result JSON (see log/lists.py). Each
round runs both, one after the other, on the same list (a fresh log file each time);
the machine's speed drifts, so the median of the rounds' ratios is taken. Wall time and CPU time
(of the batch and its workers) are both shown; the log's file size too.

    python benchmarks/log_speed.py [--records 100000] [--rounds 3] [--jobs 0]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_referrals import write

GOAL = 1.5


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="batch --jobs (0: its default)")
    options = parser.parse_args()
    cart_screen = [sys.executable, "-m", "cart_screen"]
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        source = here / "referrals.csv"
        write(source, options.records)
        batch = [*cart_screen, "batch", str(source), "-o", str(here / "out.csv")]
        batch += ["--jobs", str(options.jobs), "--as-of", "2026-11-27"]
        walls, cpus = [], []
        print(
            f"{options.records:,} records, {source.stat().st_size / 1e6:.1f} MB, jobs {options.jobs or 'auto'}"
        )
        for round_ in range(1, options.rounds + 1):
            log = here / f"log-{round_}.db"
            plain = timed(batch)
            logged = timed([*batch, "--log", str(log)])
            walls.append(logged[0] / plain[0])
            cpus.append(logged[1] / plain[1])
            size = sum(p.stat().st_size for p in here.glob(f"log-{round_}.db*")) / 1e6
            print(
                f"round {round_}: without --log {plain[0]:.2f} s wall / {plain[1]:.2f} s CPU; "
                f"with --log {logged[0]:.2f} s / {logged[1]:.2f} s "
                f"(ratio {walls[-1]:.2f}× wall, {cpus[-1]:.2f}× CPU); log {size:.0f} MB"
            )
            for path in here.glob(f"log-{round_}.db*"):
                path.unlink()
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        verdict = "meets" if wall <= GOAL else "misses"
        print(f"median ratio: {wall:.2f}× wall, {cpu:.2f}× CPU — {verdict} the goal of ≤ {GOAL}×")


if __name__ == "__main__":
    main()
