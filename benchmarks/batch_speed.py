"""Time `cart-screen batch` against a bare csv.DictReader pass over the same file, same run.

Prints both wall times, their ratio and each one's peak memory (RSS). Goal (issue 3) on
1,000,000 records: ratio ≤ 3.0 and peak RSS ≤ 150 MB.

    python benchmarks/batch_speed.py [--records 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now, from /proc (Linux)."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        pending.extend(int(child) for child in children)
    return total_kb / 1024


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS of the largest single process, and peak RSS of the whole tree."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree_peak = 0.0
    while child.poll() is None:
        tree_peak = max(tree_peak, _tree_rss_mb(child.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_maxrss / 1024, tree_peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated list in")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to time")
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
    bare_s, _, bare_mb = measure(bare)
    print(f"csv.DictReader pass        : {bare_s:7.2f} s, peak RSS {bare_mb:6.1f} MB")
    for jobs in args.jobs:
        batch = [sys.executable, "-m", "cart_screen", "batch", str(source), "-o", out]
        seconds, largest_mb, tree_mb = measure([*batch, "--jobs", str(jobs)])
        ratio = seconds / bare_s
        verdict = "ok" if ratio <= GOAL_RATIO and tree_mb <= GOAL_MB else "OVER GOAL"
        print(
            f"cart-screen batch --jobs {jobs}: {seconds:7.2f} s, {ratio:.2f}× the bare pass, "
            f"peak RSS {tree_mb:6.1f} MB all processes ({largest_mb:.1f} MB largest) "
            f"[goal ≤ {GOAL_RATIO}×, ≤ {GOAL_MB} MB: {verdict}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
