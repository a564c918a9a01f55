"""Time `cart-screen batch` against a bare csv.DictReader pass over the same file, same run.

Prints both wall times, their ratio and each one's peak memory (RSS), and what writing OUT.csv's
bytes alone costs. Goal (issue 3) on 1,000,000 records: ratio ≤ 3.0 and peak RSS ≤ 150 MB.

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
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_referrals import write

BARE_PASS = (
    "import csv, sys\n"
    "with open(sys.argv[1], encoding='utf-8', newline='') as f:\n"
    "    for row in csv.DictReader(f):\n"
    "        pass\n"
)
GOAL_RATIO, GOAL_MB = 3.0, 150
WRITE_ONLY = (
    "import os, sys\n"
    "size, block = int(sys.argv[2]), b'x' * (1 << 20)\n"
    "with open(sys.argv[1], 'wb') as f:\n"
    "    for _ in range(size >> 20):\n"
    "        f.write(block)\n"
    "    f.write(block[: size & ((1 << 20) - 1)])\n"
    "    f.flush()\n"
    "    os.fsync(f.fileno())\n"
)
"""Writing as many bytes as OUT.csv holds, and syncing them as batch does: what OUT's size
costs any way of screening the list, before a line of it is built (issue 17 asks how far an
engine could go; OUT.csv holds ~800 bytes a record since the advisory columns)."""


class Memory(NamedTuple):
    """Peak memory of a run, MB: RSS of all its processes together (a page two processes share
    counts twice), their PSS (shared pages split: what the run takes), and the largest RSS of
    any one process."""

    rss: float = 0.0
    pss: float = 0.0
    largest: float = 0.0

    def peak(self, other: Memory) -> Memory:
        return Memory(*(max(a, b) for a, b in zip(self, other, strict=True)))


def _tree_memory(pid: int) -> Memory:
    """The memory of a process and all its descendants now, from /proc (Linux)."""
    rss_kb, pss_kb, largest_kb, pending = 0, 0, 0, [pid]
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
        largest_kb = max(largest_kb, int(fields.get("Rss", 0)))
        pending.extend(int(child) for child in children)
    return Memory(rss_kb / 1024, pss_kb / 1024, largest_kb / 1024)


def measure(command: list[str], env: Mapping[str, str] | None = None) -> tuple[float, Memory]:
    """Wall seconds and peak memory of a command (run with `env` as its environment, if given)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    memory = Memory()
    while child.poll() is None:
        memory = memory.peak(_tree_memory(child.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, memory


def _mb(memory: Memory) -> str:
    return (
        f"RSS {memory.rss:.1f} MB all processes (PSS {memory.pss:.1f} MB), "
        f"{memory.largest:.1f} MB the largest"
    )


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
    memory = dict.fromkeys(args.jobs, Memory())
    for round_number in range(1, args.rounds + 1):
        bare_s, bare_memory = measure(bare)
        print(
            f"round {round_number}: csv.DictReader pass {bare_s:6.2f} s, RSS {bare_memory.rss:.1f} MB"
        )
        for jobs in args.jobs:
            batch = [sys.executable, "-m", "cart_screen", "batch", str(source), "-o", out]
            seconds, used = measure([*batch, "--jobs", str(jobs)])
            ratios[jobs].append(seconds / bare_s)
            memory[jobs] = memory[jobs].peak(used)
            print(
                f"  batch --jobs {jobs}: {seconds:6.2f} s = {seconds / bare_s:.2f}× the bare pass; {_mb(used)}"
            )
    out_size = Path(out).stat().st_size
    floor = [sys.executable, "-c", WRITE_ONLY, str(folder / "bytes.out"), str(out_size)]
    bare_s, _ = measure(bare)
    floor_s, _ = measure(floor)
    Path(folder / "bytes.out").unlink()
    print(
        f"OUT.csv is {out_size / 1e6:.0f} MB ({out_size / source.stat().st_size:.1f}× the list); "
        f"writing that many bytes alone, synced: {floor_s:.2f} s = {floor_s / bare_s:.2f}× the "
        f"bare pass ({bare_s:.2f} s)"
    )
    for jobs in args.jobs:
        ratio, used = statistics.median(ratios[jobs]), memory[jobs]
        speed = "met" if ratio <= GOAL_RATIO else "NOT met"
        print(
            f"batch --jobs {jobs}: median {ratio:.2f}× of {len(ratios[jobs])} "
            f"(goal ≤ {GOAL_RATIO}×: {speed}); peak {_mb(used)} (goal ≤ {GOAL_MB} MB: "
            f"{'met' if used.rss <= GOAL_MB else 'NOT met'} for all processes together, "
            f"{'met' if used.largest <= GOAL_MB else 'NOT met'} for each one)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
