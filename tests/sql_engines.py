"""Real SQL engines for the differential tests of `cart_screen.sql`: load typed rows, run a query.

Each engine holds the rows as its own types do and returns the query's rows as tuples. Adding an
engine is a class with `dialect`, `load` and `run`, and a line in `tests/test_sql_engines.py`'s
`engine` fixture.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cart_screen.form import FIELDS
from cart_screen.sql import columns, schema_sql

Row = Mapping[str, Any]
TABLE = "referrals"


class Engine(Protocol):
    """A database the screening query runs on."""

    dialect: str

    def load(self, rows: Sequence[Row]) -> None:
        """Replace the table's rows with these (typed values; None is NULL)."""

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows a query returns."""

    def stored(self, row: Row) -> Row:
        """The row as this engine holds it (SQLite has no NaN: it stores NULL)."""


def _statement(sql: str) -> str:
    return sql.strip().rstrip(";")


def _insert(placeholder: str) -> str:
    names = ", ".join(FIELDS)
    marks = ", ".join([placeholder] * len(FIELDS))
    return f"INSERT INTO {TABLE} ({names}) VALUES ({marks})"


class DuckDB:
    """DuckDB, embedded, in memory."""

    dialect = "duckdb"

    def __init__(self) -> None:
        import duckdb

        self.connection = duckdb.connect()
        self.connection.execute(_statement(schema_sql("duckdb", table=TABLE)))

    def load(self, rows: Sequence[Row]) -> None:
        self.connection.execute(f"DELETE FROM {TABLE}")
        values = [tuple(row[name] for name in FIELDS) for row in rows]
        if values:
            self.connection.executemany(_insert("?"), values)

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(_statement(sql)).fetchall()

    def stored(self, row: Row) -> Row:
        return row


class SQLite:
    """SQLite from the standard library: dates as ISO text, yes/no as 1/0, NaN stored as NULL."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:")
        self.connection.execute(_statement(schema_sql("sqlite", table=TABLE)))

    def load(self, rows: Sequence[Row]) -> None:
        self.connection.execute(f"DELETE FROM {TABLE}")

        def cell(value: Any) -> Any:
            return value.isoformat() if isinstance(value, dt.date) else value

        values = [tuple(cell(row[name]) for name in FIELDS) for row in rows]
        self.connection.executemany(_insert("?"), values)

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(_statement(sql)).fetchall()

    def stored(self, row: Row) -> Row:
        return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}


class PostgreSQL:
    """A database of its own on the session's real PostgreSQL server (tests/postgres.py)."""

    dialect = "postgres"

    def __init__(self, socket_dir: str, port: int, database: str) -> None:
        import psycopg

        self.connection = psycopg.connect(
            host=socket_dir, port=port, user="postgres", dbname=database, autocommit=True
        )
        self.connection.execute(_statement(schema_sql("postgres", table=TABLE)))

    def load(self, rows: Sequence[Row]) -> None:
        self.connection.execute(f"DELETE FROM {TABLE}")
        values = [tuple(row[name] for name in FIELDS) for row in rows]
        if values:
            with self.connection.cursor() as cursor:
                cursor.executemany(_insert("%s"), values)

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(_statement(sql)).fetchall()

    def stored(self, row: Row) -> Row:
        return row


class Spark:
    """Spark SQL in local mode: the rows as a DataFrame of the canonical types, a temporary view."""

    dialect = "spark"

    def __init__(self, session: Any) -> None:
        from pyspark.sql import types

        self.session = session
        kinds = {
            "TEXT": types.StringType(),
            "DATE": types.DateType(),
            "INT": types.IntegerType(),
            "DOUBLE": types.DoubleType(),
            "BOOLEAN": types.BooleanType(),
        }
        self.schema = types.StructType(
            [types.StructField(name, kinds[kind], True) for name, kind in columns().items()]
        )

    def load(self, rows: Sequence[Row]) -> None:
        values = [tuple(row[name] for name in FIELDS) for row in rows]
        frame = self.session.createDataFrame(values, self.schema)
        frame.createOrReplaceTempView(TABLE)

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(_statement(sql)).collect()]

    def stored(self, row: Row) -> Row:
        return row


def spark_session() -> Any:
    """One local Spark session (single core, no UI, quiet): starting one takes 10–20 s."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("cart-screen-sql-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.driver.memory", "512m")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
