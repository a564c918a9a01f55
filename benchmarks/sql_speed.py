"""How fast the `rules sql` query screens inside a database.

DuckDB: ROWS generated rows (default 5,000,000, made inside DuckDB from range() with hashed
values) screened by the query, against a bare aggregate scan of the same columns (MAX of each),
interleaved in one run; the median ratio is printed (goal ≤ 5×), of wall time and of CPU time
(the process's, all DuckDB threads: steadier on a shared machine). Two data sets: the worst
case (blanks, codes and not-codes, values on and beyond every threshold, leap-day birthdays:
nearly every row flagged with long needs-info lists) and a realistic mix (referrals mostly
complete and readable: about one in five flagged, a third needing information). Spark:
SPARK_ROWS rows (default 1,000,000) of the worst case in a local session, screened, rows per
second printed (--no-spark skips it).

    python benchmarks/sql_speed.py [--rows N] [--rounds 5] [--spark-rows N] [--no-spark]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

import sqlglot

from cart_screen.form import FIELDS
from cart_screen.ruleset import default_ruleset
from cart_screen.sql import screening_sql

AS_OF = dt.date(2026, 11, 27)


def _pick(i: str, salt: int, choices: list[str]) -> str:
    """One of `choices` for row i (SQL text), by a multiplicative hash: the same in every engine."""
    index = f"CAST(((({i} + {salt}) * 2654435761) % 1000003) % {len(choices)} AS INT)"
    whens = " ".join(f"WHEN {n} THEN {choice}" for n, choice in enumerate(choices))
    return f"CASE {index} {whens} END"


def _worst_case(i: str) -> dict[str, str]:
    """Every kind of value, evenly: nearly every row flagged, with long needs-info lists."""
    codes = ["'DLBCL_NOS'", "'TFL'", "'PMBCL'", "'FL'", "'DLBCL'", "' HGBL_NOS '", "NULL", "''"]
    days = [
        "NULL",
        "DATE '1958-01-20' + CAST(((i * 7919) % 20000) AS INT)",
        "DATE '2008-02-29'",
        "DATE '2008-11-27'",
        "DATE '2027-01-01'",
    ]
    columns = {
        "patient_id": "'R-' || CAST(i AS VARCHAR)",
        "screening_date": _pick(i, 1, ["NULL", "NULL", "DATE '2026-02-28'", "DATE '2028-02-29'"]),
        "date_of_birth": _pick(i, 2, days),
        "age_years": _pick(i, 3, ["NULL", "NULL", "17", "18", "64", "121"]),
        "diagnosis": _pick(i, 4, codes),
        "disease_status": _pick(
            i, 5, ["'relapsed'", "'refractory'", "'remission'", "NULL", "'PR'"]
        ),
        "prior_systemic_lines": _pick(i, 6, ["NULL", "0", "1", "2", "3", "25"]),
        "active_infection": _pick(i, 7, ["'none'", "'controlled'", "'uncontrolled'", "NULL"]),
        "lvef_percent": _pick(i, 9, ["NULL", "39.5", "40.0", "62.0", "'NaN'::DOUBLE", "0.55"]),
        "nyha_class": _pick(i, 10, ["NULL", "'I'", "'II'", "'III'", "'IV'", "'V'"]),
        "total_bilirubin_x_uln": _pick(i, 11, ["NULL", "1.0", "3.0", "3.1", "12.0"]),
        "ast_x_uln": _pick(i, 12, ["NULL", "1.0", "5.0", "5.1"]),
        "alt_x_uln": _pick(i, 13, ["NULL", "1.0", "2.2", "6.0"]),
        "child_pugh_class": _pick(i, 14, ["NULL", "NULL", "'A'", "'B'", "'C'"]),
    }
    for salt, name in enumerate(FIELDS):
        if FIELDS[name].kind.value == "yes/no":
            columns[name] = _pick(i, 20 + salt, ["NULL", "TRUE", "FALSE", "FALSE", "FALSE"])
    return columns


def _realistic(i: str) -> dict[str, str]:
    """Referrals as a centre sends them: mostly complete and readable, a few gaps, about one in
    five flagged (a line too few, a weak heart, an infection), a third needing information."""
    often = 40  # the usual value, forty draws to each other value's one

    def mostly(salt: int, usual: str, others: list[str]) -> str:
        return _pick(i, salt, [usual] * often + others)

    columns = {
        "patient_id": "'R-' || CAST(i AS VARCHAR)",
        "screening_date": mostly(1, "DATE '2026-11-27'", ["NULL"]),
        "date_of_birth": mostly(
            2, "DATE '1950-01-20' + CAST(((i * 7919) % 18000) AS INT)", ["NULL"]
        ),
        "age_years": _pick(i, 3, ["NULL"] * 3 + ["64"]),
        "diagnosis": mostly(4, "'DLBCL_NOS'", ["'TFL'", "'HGBL_NOS'", "'PMBCL'", "NULL"]),
        "disease_status": mostly(5, "'refractory'", ["'relapsed'", "'remission'"]),
        "prior_systemic_lines": mostly(6, "2", ["3", "1", "NULL"]),
        "active_infection": mostly(7, "'none'", ["'controlled'", "'uncontrolled'"]),
        "lvef_percent": mostly(9, "55.0", ["35.0", "62.0", "NULL"]),
        "nyha_class": mostly(10, "NULL", ["'I'", "'II'", "'III'"]),
        "total_bilirubin_x_uln": mostly(11, "0.8", ["1.2", "3.5"]),
        "ast_x_uln": mostly(12, "1.0", ["2.0", "NULL"]),
        "alt_x_uln": mostly(13, "1.1", ["6.0"]),
        "child_pugh_class": mostly(14, "NULL", ["'A'"]),
    }
    for salt, name in enumerate(FIELDS):
        if FIELDS[name].kind.value == "yes/no":
            usual = "TRUE" if name == "icu_available" else "FALSE"
            columns[name] = mostly(20 + salt, usual, ["TRUE", "NULL"])
    return columns


DATA_SETS: dict[str, Callable[[str], dict[str, str]]] = {
    "worst case": _worst_case,
    "realistic mix": _realistic,
}


def generator_sql(rows: int, dialect: str = "duckdb", data: str = "worst case") -> str:
    """A SELECT of `rows` typed referral rows, from range(), in DuckDB's or Spark's SQL."""
    columns = DATA_SETS[data]("i")
    select = ",\n  ".join(f"{expression} AS {name}" for name, expression in columns.items())
    body = sqlglot.transpile(f"SELECT\n  {select}\nFROM numbers", read="duckdb", write=dialect)[0]
    numbers = {"duckdb": "range AS i FROM range", "spark": "id AS i FROM range"}[dialect]
    return f"WITH numbers AS (SELECT {numbers}({rows})) {body}"


def bare_scan_sql() -> str:
    """An aggregate reading every value of every column the screening query reads."""
    parts = ["COUNT(*)"] + [f"MAX({name})" for name in FIELDS]
    return f"SELECT {', '.join(parts)} FROM referrals"


def screening_aggregate_sql(dialect: str) -> str:
    """The screening query, its every output consumed by an aggregate (no rows sent back)."""
    query = screening_sql(default_ruleset(), dialect, as_of=AS_OF).rstrip().rstrip(";")
    return (
        "SELECT outcome, COUNT(*), COUNT(patient_id), SUM(LENGTH(flagged)), "
        "SUM(LENGTH(needs_info)), MAX(ruleset_sha256), MAX(notice) "
        f"FROM ({query}) AS screened GROUP BY outcome"
    )


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def timed_both(database: Any, sql: str) -> tuple[float, float]:
    """Wall time and the process's CPU time (every DuckDB thread) of one query, its rows fetched."""
    wall, cpu = time.perf_counter(), time.process_time()
    database.execute(sql).fetchall()
    return time.perf_counter() - wall, time.process_time() - cpu


def duckdb_figures(rows: int, rounds: int) -> None:
    import duckdb

    for data in DATA_SETS:
        database = duckdb.connect()
        start = time.perf_counter()
        database.execute(f"CREATE TABLE referrals AS {generator_sql(rows, data=data)}")
        took = time.perf_counter() - start
        print(f"DuckDB {duckdb.__version__}, {data}: {rows:,} rows generated in {took:.1f} s")
        screen, bare = screening_aggregate_sql("duckdb"), bare_scan_sql()
        outcomes = database.execute(screen).fetchall()
        print("  outcomes:", ", ".join(f"{o} {n:,}" for o, n, *_ in sorted(outcomes)))
        walls, cpus = [], []
        for round_number in range(1, rounds + 1):
            bare_wall, bare_cpu = timed_both(database, bare)
            screen_wall, screen_cpu = timed_both(database, screen)
            walls.append(screen_wall / bare_wall)
            cpus.append(screen_cpu / bare_cpu)
            print(
                f"  round {round_number}: bare scan {bare_wall * 1000:.0f} ms "
                f"(CPU {bare_cpu * 1000:.0f} ms), screening {screen_wall * 1000:.0f} ms "
                f"(CPU {screen_cpu * 1000:.0f} ms), ratio {walls[-1]:.2f}× (CPU {cpus[-1]:.2f}×)"
            )
        print(
            f"  median ratio {statistics.median(walls):.2f}× wall, "
            f"{statistics.median(cpus):.2f}× CPU (goal ≤ 5×)"
        )
        database.close()


def spark_figures(rows: int, rounds: int) -> None:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cart-screen-sql-speed")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        frame = session.sql(generator_sql(rows, "spark")).cache()
        frame.count()
        frame.createOrReplaceTempView("referrals")
        screen = screening_aggregate_sql("spark")
        session.sql(screen).collect()  # warm up: code generation
        seconds = [timed(lambda: session.sql(screen).collect()) for _ in range(rounds)]
        best, median = min(seconds), statistics.median(seconds)
        print(
            f"Spark {session.version} local[2]: {rows:,} rows screened in {median:.2f} s median "
            f"({rows / median:,.0f} rows/s; best {rows / best:,.0f} rows/s, {rounds} rounds)"
        )
    finally:
        session.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--spark-rows", type=int, default=1_000_000)
    parser.add_argument("--no-spark", action="store_true", help="Skip the Spark figures.")
    arguments = parser.parse_args()
    duckdb_figures(arguments.rows, arguments.rounds)
    if not arguments.no_spark:
        spark_figures(arguments.spark_rows, arguments.rounds)


if __name__ == "__main__":
    main()
