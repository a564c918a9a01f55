"""Time `cart-screen check` on an example form against the import floor of its own dependencies.

Prints the median wall time of each, measured interleaved in the same run, and their ratio.
The goal (issue 2): check ≤ 1.5 × the floor `python -c "import pydantic, typer, yaml"`.

    python benchmarks/check_speed.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL = 1.5


def wall(command: list[str]) -> float:
    """Seconds one run of `command` takes, output discarded; a failing run stops the benchmark."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--form", default="examples/patient-flagged.yaml")
    runs = parser.parse_args().runs
    form = parser.parse_args().form
    floor_cmd = [sys.executable, "-c", "import pydantic, typer, yaml"]
    check_cmd = [sys.executable, "-m", "cart_screen", "check", form]
    text_cmd = check_cmd
    json_cmd = [*check_cmd, "--json"]
    wall(floor_cmd), wall(text_cmd)  # warm the file cache and .pyc files
    floors, texts, jsons = [], [], []
    for _ in range(runs):
        floors.append(wall(floor_cmd))
        texts.append(wall(text_cmd))
        jsons.append(wall(json_cmd))
    floor = statistics.median(floors)
    print(f"runs: {runs} each, interleaved")
    print(f"import floor (pydantic, typer, yaml): {floor * 1000:7.1f} ms median")
    for name, times in (("check (text)", texts), ("check --json", jsons)):
        median = statistics.median(times)
        verdict = "ok" if median / floor <= GOAL else "OVER GOAL"
        print(
            f"{name:<36}: {median * 1000:7.1f} ms median, "
            f"{median / floor:.2f}× floor (goal ≤ {GOAL}×: {verdict})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
