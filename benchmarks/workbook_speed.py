"""Time `cart-screen batch IN.xlsx` against calamine alone iterating the same sheet, same run.

Writes a realistic workbook (XlsxWriter, in constant-memory mode; nothing is committed): a title
row above the header, dates as date cells, counts, LVEF and lab values as numbers, some yes/no
as TRUE/FALSE, the rest as text (make_referrals.py's records), an empty row every 1,000. Each
round times calamine alone two ways (python-calamine reading the sheet whole and iterating it;
python-calamine-plus streaming its rows, as batch reads an .xlsx), then `batch` to OUT.csv and to
OUT.xlsx (read + screen + write), and the same records written as a CSV list screened to
OUT.csv, and prints each one's wall time and CPU time, their ratios to that round's calamine
passes and its peak memory (RSS of all its processes together). Goal (issue 10) on 100,000 rows:
read + screen + OUT.xlsx in ≤ 2.0× the time python-calamine — the reading library the issue
names — takes to iterate the sheet, and peak RSS ≤ 200 MB (OUT.csv beside it). The ratio to
python-calamine-plus's stream is shown too; the CSV list's ratio to it is a floor no workbook
run can go under (it has no workbook to read: the screening and writing alone).
`--against CHECKOUT` times another checkout's batch in the same rounds (before/after,
interleaved).

    python benchmarks/workbook_speed.py [--rows 100000] [--rounds 3] [--keep DIR] [--against DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_speed import Memory, _mb, measure
from make_referrals import HEADER, record, write

BARE_PASS = (
    "import sys, python_calamine\n"
    "book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
    "for row in book.get_sheet_by_index(0).iter_rows():\n"
    "    pass\n"
)
BARE_STREAM = (
    "import sys, python_calamine_plus\n"
    "book = python_calamine_plus.CalamineWorkbook.from_path(sys.argv[1])\n"
    "for row in book.stream_sheet_by_index(0):\n"
    "    pass\n"
)
"""The two ways calamine reads a sheet alone: python-calamine's whole sheet (the baseline of the
figures before batch streamed .xlsx) and python-calamine-plus's stream (what batch reads with)."""
GOAL_RATIO, GOAL_MB = 2.0, 200
CSV_LIST = "the same records as a CSV list: screen + OUT.csv"
DATES = {"screening_date", "date_of_birth"}
NUMBERS = {
    "prior_systemic_lines", "lvef_percent", "total_bilirubin_x_uln", "ast_x_uln", "alt_x_uln",
}  # fmt: skip
BOOLEANS = {"true": True, "false": False}


def write_workbook(path: Path, rows: int, seed: int = 7) -> Path:
    """A sheet of `rows` referrals, each cell typed as a coordinator's workbook would have it."""
    import xlsxwriter

    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Referrals")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, "Referral list, generated")
    sheet.write_row(1, 0, HEADER)
    at = 2
    for number in range(1, rows + 1):
        if number % 1000 == 0:
            at += 1  # an empty row
        for column, (name, cell) in enumerate(zip(HEADER, record(rng, number), strict=False)):
            _write(sheet, at, column, name, cell, day)
        at += 1
    book.close()
    return path


def _write(sheet: object, row: int, column: int, name: str, cell: str, day: object) -> None:
    write = sheet.__getattribute__  # XlsxWriter has no type hints
    if not cell:
        return
    if name in DATES:
        try:
            write("write_datetime")(row, column, dt.datetime.fromisoformat(cell), day)
            return
        except ValueError:
            pass
    elif name in NUMBERS:
        try:
            write("write_number")(row, column, float(cell))
            return
        except ValueError:
            pass
    elif cell in BOOLEANS:
        write("write_boolean")(row, column, BOOLEANS[cell])
        return
    write("write_string")(row, column, cell)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of timing (median taken)")
    parser.add_argument("--keep", type=Path, help="folder to keep the generated workbook in")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="another checkout of cart-screen (e.g. from `git worktree add` or `git archive`) "
        "whose batch is timed too, interleaved: before/after in one run",
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cart-screen-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"referrals-{args.rows}.xlsx"
    if not source.exists():
        write_workbook(source, args.rows)
    as_csv = folder / f"referrals-{args.rows}.csv"
    if not as_csv.exists():
        write(as_csv, args.rows)  # the same records (the same seed), as a CSV list
    print(f"rows: {args.rows:,} ({source.stat().st_size / 1e6:.1f} MB .xlsx)")
    bare = {
        "whole": [sys.executable, "-c", BARE_PASS, str(source)],
        "stream": [sys.executable, "-c", BARE_STREAM, str(source)],
    }
    runs = _runs(source, as_csv, folder, args.against)
    ratios: dict[tuple[str, str], list[float]] = {(n, b): [] for n in runs for b in bare}
    cpu_ratios: dict[tuple[str, str], list[float]] = {(n, b): [] for n in runs for b in bare}
    memory = dict.fromkeys(runs, Memory())
    for round_number in range(1, args.rounds + 1):
        # The machine's speed drifts: each round times calamine alone again right before.
        bare_s, bare_cpu = {}, {}
        for way, command in bare.items():
            bare_s[way], bare_cpu[way], bare_memory = _timed(command)
            print(
                f"round {round_number}: calamine alone ({way} sheet) {bare_s[way]:5.2f} s, "
                f"CPU {bare_cpu[way]:5.2f} s (RSS {bare_memory.rss:.1f} MB)"
            )
        for name, (command, env) in runs.items():
            seconds, cpu, used = _timed(command, env)
            for way in bare:
                ratios[name, way].append(seconds / bare_s[way])
                cpu_ratios[name, way].append(cpu / bare_cpu[way])
            memory[name] = memory[name].peak(used)
            print(
                f"  {name}: {seconds:5.2f} s = {_against(ratios, name, -1)}, CPU {cpu:5.2f} s = "
                f"{_against(cpu_ratios, name, -1)}; {_mb(used)}"
            )
    print(
        f"goal: ≤ {GOAL_RATIO}× python-calamine alone iterating the sheet (the reading library "
        f"issue 10 names), ≤ {GOAL_MB} MB; the stream's ratio for information"
    )
    for name in runs:
        medians = {key: statistics.median(values) for key, values in ratios.items()}
        cpu_medians = {key: statistics.median(values) for key, values in cpu_ratios.items()}
        whole, stream = medians[name, "whole"], medians[name, "stream"]
        shown = ", ".join(f"{r:.2f}×" for r in ratios[name, "whole"])
        verdict = "" if CSV_LIST in name else f" ({_met(whole <= GOAL_RATIO)})"
        memory_verdict = "" if CSV_LIST in name else f" ({_met(memory[name].rss <= GOAL_MB)})"
        print(
            f"{name}: median {whole:.2f}× calamine's whole sheet ({shown}){verdict}, "
            f"{stream:.2f}× its stream; CPU median {cpu_medians[name, 'whole']:.2f}× / "
            f"{cpu_medians[name, 'stream']:.2f}×; peak {_mb(memory[name])}{memory_verdict}"
        )
    return 0


def _met(held: bool) -> str:
    return "met" if held else "NOT met"


def _against(ratios: dict[tuple[str, str], list[float]], name: str, at: int) -> str:
    """One run's ratios to calamine's whole sheet and to its stream."""
    return f"{ratios[name, 'whole'][at]:.2f}× whole / {ratios[name, 'stream'][at]:.2f}× stream"


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, Memory]:
    """Wall seconds, CPU seconds (user and system, all threads) and peak memory of a command.
    CPU time says what the work costs whatever else the machine runs; wall time says what a
    user waits, with the second core's work overlapped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, used = measure(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, used


def _runs(
    source: Path, as_csv: Path, folder: Path, against: Path | None
) -> dict[str, tuple[list[str], dict[str, str] | None]]:
    """The batch runs timed each round: the workbook to OUT.csv and to OUT.xlsx, by this
    checkout (and by `against`'s, run from its own src/ with this interpreter); the same records
    as a CSV list to OUT.csv, by this checkout."""
    checkouts: dict[str, dict[str, str] | None] = {"": None}
    if against is not None:
        other = dict(os.environ, PYTHONPATH=str(against.resolve() / "src"))
        checkouts = {"this checkout: ": None, f"{against}: ": other}
    runs: dict[str, tuple[list[str], dict[str, str] | None]] = {}
    for label, env in checkouts.items():
        for out in ("OUT.csv", "OUT.xlsx"):
            command = [sys.executable, "-m", "cart_screen", "batch", str(source)]
            command += ["-o", str(folder / out.lower())]
            runs[f"{label}read + screen + {out}"] = (command, env)
    command = [sys.executable, "-m", "cart_screen", "batch", str(as_csv)]
    runs[CSV_LIST] = ([*command, "-o", str(folder / "from-csv.csv")], None)
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
