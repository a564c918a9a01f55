"""Time `cart-screen batch` writing OUT.xlsx against the same batch writing OUT.csv, same run.

Prints each one's wall time, their ratio and peak memory (all processes together), and what
reading OUT.csv's text back into cells costs (how the workbook writer gets its rows). Goal
(issue 10) on 100,000 records: peak memory ≤ 200 MB in all for OUT.xlsx.

    python benchmarks/xlsx_output.py [--records 100000] [--keep DIR] [--jobs 0] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_speed import Memory, _mb, measure
from make_referrals import write

GOAL_MB = 200


def parse_back_seconds(out_csv: Path) -> float:
    """Seconds the csv module takes to read OUT.csv's text back into cells, as the writer does."""
    text = out_csv.read_text("utf-8")
    start = time.perf_counter()
    for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
        pass
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the list and outputs in")
    parser.add_argument("--jobs", type=int, default=0, help="--jobs for batch (0: automatic)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of timing (median taken)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cart-screen-xlsx-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"referrals-{args.records}.csv"
    if not source.exists():
        write(source, args.records)
    print(f"records: {args.records:,} ({source.stat().st_size / 1e6:.0f} MB), --jobs {args.jobs}")
    batch = [sys.executable, "-m", "cart_screen", "batch", str(source), "--jobs", str(args.jobs)]
    outputs = {"csv": folder / "out.csv", "xlsx": folder / "out.xlsx"}
    seconds: dict[str, list[float]] = {kind: [] for kind in outputs}
    memory = dict.fromkeys(outputs, Memory())
    for round_number in range(1, args.rounds + 1):
        # Each round runs both, one right after the other: a shared machine's speed drifts.
        for kind, out in outputs.items():
            took, used = measure([*batch, "-o", str(out)])
            seconds[kind].append(took)
            memory[kind] = memory[kind].peak(used)
            print(f"round {round_number}: OUT.{kind:<4} {took:6.2f} s; {_mb(used)}")
    ratios = [x / c for x, c in zip(seconds["xlsx"], seconds["csv"], strict=True)]
    csv_s, xlsx_s = statistics.median(seconds["csv"]), statistics.median(seconds["xlsx"])
    parse_s = parse_back_seconds(outputs["csv"])
    size = {kind: out.stat().st_size / 1e6 for kind, out in outputs.items()}
    print(f"OUT.csv : median {csv_s:6.2f} s, {size['csv']:.1f} MB; peak {_mb(memory['csv'])}")
    print(f"OUT.xlsx: median {xlsx_s:6.2f} s, {size['xlsx']:.1f} MB; peak {_mb(memory['xlsx'])}")
    met = "met" if memory["xlsx"].rss <= GOAL_MB else "NOT met"
    print(
        f"OUT.xlsx takes {statistics.median(ratios):.2f}× the time of OUT.csv (median of "
        f"{len(ratios)} rounds); memory goal ≤ {GOAL_MB} MB all processes together: {met}"
    )
    print(
        f"reading OUT.csv's text back into cells (the writer's seam): {parse_s:.2f} s, "
        f"{100 * parse_s / xlsx_s:.1f} % of the OUT.xlsx run"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
