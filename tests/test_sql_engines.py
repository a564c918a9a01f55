"""Differential tests: the screening query on real engines gives what screen() gives, row by row.

Hypothesis draws typed referral rows — NULLs, NaN and infinities, values on and beside each
threshold, values outside their field's range, leap-day birthdays and screening dates, 18th
birthdays, dates outside the calendar, codes that are not codes, blank and padded codes, rows
without a patient id — loads them into each engine, runs `rules sql`'s query and compares
outcome, flagged and needs_info with screen() on each row as a mapping of the same values.

Engines: DuckDB (embedded), SQLite (standard library), PostgreSQL (Debian's real server, started
for the session by the `postgres` fixture, a database per test), Spark SQL (local mode, Java 17;
one session for the whole run).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cart_screen import screen
from cart_screen.form import ADVISORY_GROUP, FIELDS
from cart_screen.ruleset import default_ruleset
from cart_screen.sql import screening_sql
from cart_screen.values.kinds import Kind
from cart_screen.values.text import FormValueError
from postgres import PORT, Server
from sql_engines import DuckDB, Engine, PostgreSQL, Row, Spark, SQLite, spark_session

RULESET = default_ruleset()
AS_OF = dt.date(2028, 2, 29)
"""Rows without a screening date of their own are screened on a leap day."""

# ---------------------------------------------------------------- typed rows


def _around(*points: float) -> list[float]:
    """Each point and the doubles just beside it."""
    return [
        x
        for p in map(float, points)
        for x in (math.nextafter(p, -math.inf), p, math.nextafter(p, math.inf))
    ]


NUMBERS: dict[str, list[float]] = {
    "lvef_percent": _around(5, 40, 95),
    "total_bilirubin_x_uln": _around(0, 3, 10, 50),
    "ast_x_uln": _around(0, 5, 10, 200),
    "alt_x_uln": _around(0, 5, 10, 200),
}
NOT_FINITE = [math.nan, math.inf, -math.inf]

NOT_CODES: dict[str, list[str]] = {
    "diagnosis": ["DLBCL", "lymphoma", "C83.3", "XYZ", "tFL?"],
    "disease_status": ["PR", "stable disease", "relapsed?", "xyz"],
    "active_infection": ["yes", "maybe", "有"],
    "nyha_class": ["V", "II-III", "NYHA >II", "0"],
    "child_pugh_class": ["D", "B/C", "17"],
}
"""Texts that are no value of their field: screen() refuses every one (checked below)."""


def _codes(name: str) -> list[str]:
    spec = FIELDS[name]
    return list(RULESET.vocabulary.codes) if spec.kind is Kind.DIAGNOSIS else list(spec.choices)


def _coded(name: str) -> st.SearchStrategy[Any]:
    codes = _codes(name)
    padded = st.sampled_from(codes).map(lambda code: f" {code}  ")
    return st.one_of(
        st.sampled_from(codes),
        st.sampled_from(NOT_CODES[name]),
        st.sampled_from(["", "  "]),
        padded,
    )


def _number(name: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NUMBERS[name]),
        st.floats(-1, 250, allow_nan=False),
        st.sampled_from(NOT_FINITE),
    )


DAYS = st.dates(dt.date(1895, 1, 1), dt.date(2105, 12, 31))
CALENDAR_EDGES = [
    dt.date(1899, 12, 31),
    dt.date(1900, 1, 1),
    dt.date(2100, 12, 31),
    dt.date(2101, 1, 1),
]
LEAP_DAYS = [dt.date(2024, 2, 29), dt.date(2000, 2, 29), dt.date(2028, 2, 29), dt.date(1904, 2, 29)]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    """One typed row; each field missing half the time or so."""

    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return None if draw(st.integers(0, 3)) == 0 else draw(strategy)

    screening = maybe(st.one_of(DAYS, st.sampled_from([*CALENDAR_EDGES, *LEAP_DAYS])))
    day = screening or AS_OF
    if day.year < 1905:
        day = AS_OF
    birthdays = st.one_of(
        DAYS,
        st.sampled_from(LEAP_DAYS + CALENDAR_EDGES),
        # on, the day before and the day after an 18th birthday
        st.integers(-1, 1).map(lambda shift: _years_before(day, 18) + dt.timedelta(days=shift)),
        st.integers(16, 20).map(lambda years: _years_before(day, years)),
        st.integers(1, 400).map(lambda days: day + dt.timedelta(days=days)),  # after screening
    )
    birth = maybe(birthdays)
    ages: list[st.SearchStrategy[Any]] = [
        st.integers(-3, 125),
        st.sampled_from([0, 17, 18, 120, 121]),
    ]
    if isinstance(birth, dt.date) and birth <= day:
        real = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        ages.append(st.integers(real - 2, real + 2))  # agreeing, or more than a year apart
    row: dict[str, Any] = {
        "patient_id": None,
        "screening_date": screening,
        "date_of_birth": birth,
        "age_years": maybe(st.one_of(*ages)),
        "prior_systemic_lines": maybe(st.one_of(st.integers(-2, 22), st.sampled_from([1, 2]))),
    }
    for name, spec in FIELDS.items():
        if name in row:
            continue
        if spec.group == ADVISORY_GROUP:  # SPEC §10's output has no advisory checks: NULL
            row[name] = None
            continue
        if spec.kind is Kind.NUMBER:
            row[name] = maybe(_number(name))
        elif spec.kind in (Kind.CHOICE, Kind.DIAGNOSIS):
            row[name] = maybe(_coded(name))
        elif spec.kind is Kind.YES_NO:
            row[name] = maybe(st.booleans())
    return row


@st.composite
def tables(draw: st.DrawFn, most: int) -> list[dict[str, Any]]:
    """Rows with distinct patient ids, a few without one (NULL, blank)."""
    drawn = draw(st.lists(rows(), min_size=1, max_size=most))
    for number, row in enumerate(drawn):
        row["patient_id"] = draw(
            st.sampled_from([f"R-{number}"] * 8 + [None, "", "   ", f"  R-{number} "])
        )
    return drawn


# ---------------------------------------------------------------- comparing


def expected(engine: Engine, table: Sequence[Row], as_of: dt.date) -> Counter[tuple[Any, ...]]:
    """What screen() says of each row (as the engine holds it): id, outcome, flagged, needs info."""
    said: Counter[tuple[Any, ...]] = Counter()
    for row in table:
        result = screen(dict(engine.stored(row)), as_of=as_of, rules=RULESET)
        statuses = {item.rule_id: item.status for item in result.items}
        flagged = " ".join(rule for rule, status in statuses.items() if status == "flagged")
        needs = " ".join(rule for rule, status in statuses.items() if status == "needs_info")
        said[(row["patient_id"], result.outcome, flagged, needs)] += 1
    return said


def screened(engine: Engine, sql: str) -> tuple[Counter[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """What the query says of each row, and the (sha256, notice) pairs it carries."""
    found = engine.run(sql)
    return Counter(tuple(row[:4]) for row in found), {tuple(row[4:]) for row in found}


def assert_same(engine: Engine, table: Sequence[Row], as_of: dt.date, sql: str) -> None:
    engine.load(table)
    rows_found, carried = screened(engine, sql)
    assert rows_found == expected(engine, table, as_of)
    assert carried == {(RULESET.sha256, screen({"patient_id": "x"}).notice)}


# ---------------------------------------------------------------- engines


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = spark_session()
    yield session
    session.stop()


ENGINES = ["duckdb", "sqlite", "postgres", "spark"]
_databases = itertools.count(1)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "spark":
        yield Spark(request.getfixturevalue("spark"))
    elif request.param == "postgres":
        server: Server = request.getfixturevalue("postgres")
        name = f"sql_{os.getpid()}_{next(_databases)}"
        server.create_database(name)
        postgres = PostgreSQL(str(server.socket_dir), PORT, name)
        with postgres.connection:
            yield postgres
    else:
        yield DuckDB() if request.param == "duckdb" else SQLite()


EXAMPLES = {"duckdb": 150, "sqlite": 150, "postgres": 100, "spark": 25}
"""Hypothesis examples per engine: a Spark query costs ~0.3 s, the others milliseconds."""


def test_the_not_codes_are_refused_by_screen_too() -> None:
    for name, texts in NOT_CODES.items():
        for text in texts:
            with pytest.raises(FormValueError):
                RULESET.book.read(name, FIELDS[name].kind, text)


def test_generated_rows_screen_the_same_in_sql_as_in_python(engine: Engine) -> None:
    sql = screening_sql(RULESET, engine.dialect, as_of=AS_OF)

    @settings(
        max_examples=EXAMPLES[engine.dialect],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(tables(most=40))
    def same(table: list[dict[str, Any]]) -> None:
        assert_same(engine, table, AS_OF, sql)

    same()


def test_without_as_of_the_query_screens_on_the_engines_current_date(engine: Engine) -> None:
    (today,) = engine.run("SELECT CURRENT_DATE")[0]
    today = dt.date.fromisoformat(today) if isinstance(today, str) else today
    birthday = _years_before(today, 18)
    table = [
        {**dict.fromkeys(FIELDS), "patient_id": "turns-18-today", "date_of_birth": birthday},
        {
            **dict.fromkeys(FIELDS),
            "patient_id": "turns-18-tomorrow",
            "date_of_birth": birthday + dt.timedelta(days=1),
        },
        {**dict.fromkeys(FIELDS), "patient_id": "dated", "screening_date": dt.date(2024, 2, 29)},
    ]
    sql = screening_sql(RULESET, engine.dialect)
    assert_same(engine, table, today, sql)
    engine.load(table)
    adult = {row[0]: "indication.adult" in row[2] for row in engine.run(sql)}
    assert adult == {"turns-18-today": False, "turns-18-tomorrow": True, "dated": False}


def test_a_screening_date_screen_does_not_accept_dates_no_age_in_sql_either(
    engine: Engine,
) -> None:
    """A screening date outside the book's calendar is not read by screen(): no age is dated
    from the date of birth on the run's day instead (the age stated stands) — nor in SQL."""
    base = {**dict.fromkeys(FIELDS), "date_of_birth": dt.date(2024, 2, 29)}
    table = [
        {**base, "patient_id": "undated", "screening_date": dt.date(1899, 12, 31)},
        {**base, "patient_id": "stated", "screening_date": dt.date(1899, 12, 31), "age_years": 2},
        {**base, "patient_id": "dated", "screening_date": dt.date(2026, 10, 15)},
    ]
    sql = screening_sql(RULESET, engine.dialect, as_of=AS_OF)
    assert_same(engine, table, AS_OF, sql)
    engine.load(table)
    found = {
        row[0]: ("indication.adult" in row[2], "indication.adult" in row[3])
        for row in engine.run(sql)
    }
    assert found == {"undated": (False, True), "stated": (True, False), "dated": (True, False)}
