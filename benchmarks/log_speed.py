"""What the screening log costs a batch: `cart-screen batch` with and without `--log` on SQLite.

Goal (issue 11): logging a 100,000-record list costs at most 1.5× the same batch without the
log. With the log, each screening is stored with its full result JSON (see log/lists.py). Each
round runs both, one after the other, on the same list (a fresh log file each time);
the machine's speed drifts, so the median of the rounds' ratios is taken. Wall time and CPU time
(of the batch and its workers) are both shown; the log's file size too.

`--against REF` times a git revision of this repository (main, a commit) in the same rounds,
before this code each time: the code as it was, extracted with `git archive`, runs from its own
`src/` on PYTHONPATH, so the two ratios come from the same minutes of the same machine.

    python benchmarks/log_speed.py [--records 100000] [--rounds 3] [--jobs 0] [--against main]

2026-11-29 evening, the 2-core development machine (shared), 100,000 records, two processes,
`--rounds 3 --against 1bee581` (that day's session start): 1bee581 2.20× wall, 2.45× CPU; the
session's end in the same run 2.22× wall, 2.46× CPU — both runs ~20-25 % faster (with the log
4.1-4.5 s wall then, 3.3-3.5 s now; without it 1.9-2.0 s then, 1.5 s now). README, "Keeping a
screening log", says where the rest goes. The goal is not met; the README also gives its floor,
measured with the log's work taken out piece by piece (branch log-floor): ~1.55× with nothing
stored.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_referrals import write

GOAL = 1.5
REPOSITORY = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def extracted(revision: str, into: Path) -> dict[str, str]:
    """The environment that runs `revision`'s code: its tree extracted into `into`."""
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", revision], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return {**os.environ, "PYTHONPATH": str(into / "src")}


class Code:
    """One version of the code under test: its runs' ratios, round by round."""

    def __init__(self, name: str, env: dict[str, str] | None):
        self.name, self.env = name, env
        self.walls: list[float] = []
        self.cpus: list[float] = []

    def round(self, batch: list[str], log: Path) -> str:
        plain = timed(batch, self.env)
        logged = timed([*batch, "--log", str(log)], self.env)
        self.walls.append(logged[0] / plain[0])
        self.cpus.append(logged[1] / plain[1])
        files = list(log.parent.glob(log.name + "*"))
        size = sum(path.stat().st_size for path in files) / 1e6
        for path in files:
            path.unlink()
        return (
            f"{self.name}: without --log {plain[0]:.2f} s wall / {plain[1]:.2f} s CPU; "
            f"with --log {logged[0]:.2f} s / {logged[1]:.2f} s "
            f"(ratio {self.walls[-1]:.2f}× wall, {self.cpus[-1]:.2f}× CPU); log {size:.0f} MB"
        )

    def median(self) -> str:
        wall, cpu = statistics.median(self.walls), statistics.median(self.cpus)
        verdict = "meets" if wall <= GOAL and cpu <= GOAL else "misses"
        return (
            f"{self.name}: median ratio {wall:.2f}× wall, {cpu:.2f}× CPU — "
            f"{verdict} the goal of ≤ {GOAL}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="batch --jobs (0: its default)")
    parser.add_argument("--against", metavar="REF", help="also time this git revision")
    options = parser.parse_args()
    cart_screen = [sys.executable, "-m", "cart_screen"]
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        codes = [Code("this code", None)]
        if options.against:
            before = Code(options.against, extracted(options.against, here / "against"))
            codes.insert(0, before)
        source = here / "referrals.csv"
        write(source, options.records)
        batch = [*cart_screen, "batch", str(source), "-o", str(here / "out.csv")]
        batch += ["--jobs", str(options.jobs), "--as-of", "2026-11-27"]
        print(
            f"{options.records:,} records, {source.stat().st_size / 1e6:.1f} MB, "
            f"jobs {options.jobs or 'auto'}"
        )
        for round_ in range(1, options.rounds + 1):
            for code in codes:
                print(f"round {round_}, {code.round(batch, here / f'log-{round_}.db')}")
        for code in codes:
            print(code.median())


if __name__ == "__main__":
    main()
