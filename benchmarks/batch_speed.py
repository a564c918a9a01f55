"""Time `cart-screen batch` against a bare csv.DictReader pass over the same file, same run.

Prints both wall times, their ratio and each one's peak memory (RSS). Goal (issue 3) on
1,000,000 records: ratio ≤ 3.0 and peak RSS ≤ 150 MB.

    python benchmarks/batch_speed.py [--records 1000000] [--keep DIR] [--jobs 1 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_referrals import write

BARE_PASS = (
    "import csv, sys\n"
    "with open(sys.argv[1], encoding='utf-8', newline='') as f:\n"
    "    for row in csv.DictReader(f):\n"
    "        pass\n"
)
GOAL_RATIO, GOAL_MB = 3.0, 150


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory (RSS) and proportional set size (PSS) of a process and all its
    descendants now, from /proc (Linux). RSS counts a page shared by two processes twice;
    PSS splits it between them, so the tree's PSS is the memory the run takes."""
    rss_kb, pss_kb, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        fields = {line.split(":")[0]: line.split()[1] for line in rollup.splitlines()[1:]}
        rss_kb += int(fields.get("Rss", 0))
        pss_kb += int(fields.get("Pss", 0))
        pending.extend(int(child) for child in children)
    return rss_kb / 1024, pss_kb / 1024


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, and the peak RSS and peak PSS of the whole process tree."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss_peak = pss_peak = 0.0
    while child.poll() is None:
        rss, pss = _tree_memory_mb(child.pid)
        rss_peak, pss_peak = max(rss_peak, rss), max(pss_peak, pss)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, rss_peak, pss_peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated list in")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="process counts to time"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of timing (median taken)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cart-screen-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"referrals-{args.records}.csv"
    if not source.exists():
        write(source, args.records)
    size_mb = source.stat().st_size / 1e6
    bare = [sys.executable, "-c", BARE_PASS, str(source)]
    out = str(folder / "out.csv")
    print(f"records: {args.records:,} ({size_mb:.0f} MB), cores: {os.cpu_count()}")
    # A shared machine's speed drifts: each round times the bare pass again right before the
    # batch runs, and each ratio is to that round's bare pass.
    ratios: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
    memory: dict[int, tuple[float, float]] = dict.fromkeys(args.jobs, (0.0, 0.0))
    for round_number in range(1, args.rounds + 1):
        bare_s, bare_rss, _ = measure(bare)
        print(f"round {round_number}: csv.DictReader pass {bare_s:6.2f} s, RSS {bare_rss:5.1f} MB")
        for jobs in args.jobs:
            batch = [sys.executable, "-m", "cart_screen", "batch", str(source), "-o", out]
            seconds, rss, pss = measure([*batch, "--jobs", str(jobs)])
            ratios[jobs].append(seconds / bare_s)
            memory[jobs] = max(memory[jobs][0], rss), max(memory[jobs][1], pss)
            print(
                f"  batch --jobs {jobs}: {seconds:6.2f} s = {seconds / bare_s:.2f}× the bare pass; "
                f"peak memory of all its processes: RSS {rss:5.1f} MB (PSS {pss:5.1f} MB)"
            )
    for jobs in args.jobs:
        ratio, (rss, pss) = statistics.median(ratios[jobs]), memory[jobs]
        verdict = "ok" if ratio <= GOAL_RATIO and rss <= GOAL_MB else "OVER GOAL"
        print(
            f"batch --jobs {jobs}: median {ratio:.2f}× (of {len(ratios[jobs])}), peak RSS "
            f"{rss:.1f} MB (PSS {pss:.1f} MB) [goal ≤ {GOAL_RATIO}×, RSS ≤ {GOAL_MB} MB: {verdict}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
