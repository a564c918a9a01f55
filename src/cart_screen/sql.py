"""Layer 5: a loaded ruleset compiled to one SQL query that screens a whole table (SPEC §10).

The query is built as a sqlglot expression tree from the same condition models the Python
evaluator compiles (`ruleset.Rule.flag_when`), and rendered per dialect by sqlglot; nothing is
pasted together as text. The table holds one referral a row in the form's fields, as canonical
typed values (`columns`). What screen() does with a typed value, the query does:

- NULL is missing. A value screen() would refuse — NaN or infinity, a number outside its field's
  range (or, for a multiple of ULN, above the bare number the value book asks about), a code
  that does not read as itself, a date outside the calendar the book accepts — is *unknown*,
  even in an optional field. Its comparisons are unknown; a missing optional field's are false.
- Kleene logic runs on numbers, because T-SQL has no boolean values and NULL is not FALSE: a
  condition's truth is 0 (false), 1 (unknown) or 2 (true), never NULL; `all` takes the least of
  its parts, `any` the greatest, `not` is 2 − truth. A rule's truth is its status: 2 flagged,
  0 clear, 1 needs information.
- The screening date is the row's own `screening_date` when it is a date the book accepts, else
  `as_of` (a literal) or the engine's CURRENT_DATE. Age is completed years at that date (29
  February birthdays turn a year older on 1 March), from `date_of_birth`, else `age_years`; a
  date of birth after the screening date leaves `age_years`, and the two more than a year apart
  leave the age missing; a screening date given but not accepted dates no age from the date of
  birth (`age_years` stands, else the age is missing) — as `reading.FormReader.derive` does.
- Each rule's status is computed once (a column of an inner select) and used once: the statuses
  of each group of four rules make one number in base 3, joined to a constant lookup of the
  group's pieces of `flagged` and `needs_info` (rule ids in ruleset order joined by one space).
  An engine that inlines subqueries (DuckDB) would otherwise compute every status again for
  each place it is read; the join keeps it computed once in every engine, and joining a few
  constant pieces is cheaper than joining twelve. Every row carries the ruleset's sha256 and
  the notice. A record with no patient id (NULL or blank) has outcome `error` and empty lists.

A condition the compiler cannot express is refused with its file:line, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

from cart_screen.datafile import DataFileError, Location
from cart_screen.form import DERIVED, FIELDS
from cart_screen.i18n import Language, M
from cart_screen.ruleset import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Leaf,
    Member,
    Not,
    Ruleset,
    default_ruleset,
    spec_of,
)
from cart_screen.values.kinds import Kind
from cart_screen.values.text import FormValueError

DIALECTS = (
    "duckdb",
    "sqlite",
    "postgres",
    "spark",
    "trino",
    "mysql",
    "tsql",
    "bigquery",
    "snowflake",
)
"""The dialects SPEC §10 names; sqlglot renders others too, untested."""

DEFAULT_TABLE = "referrals"
TERMS_TABLE = "cart_screen_terms"
OUTPUT_COLUMNS = ("patient_id", "outcome", "flagged", "needs_info", "ruleset_sha256", "notice")

_TYPES: dict[Kind, str] = {
    Kind.TEXT: "TEXT",
    Kind.DATE: "DATE",
    Kind.INTEGER: "INT",
    Kind.NUMBER: "DOUBLE",
    Kind.CHOICE: "TEXT",
    Kind.YES_NO: "BOOLEAN",
    Kind.DIAGNOSIS: "TEXT",
}
"""The SQL type of each kind of field, as sqlglot names it (rendered per dialect)."""

_LARGEST = 1.7976931348623157e308
"""The largest finite double: a number field without a bound still refuses ±infinity and NaN."""

FLAGGED, NEEDS_INFO, CLEAR = 2, 1, 0
"""A rule's status as the inner select holds it."""


SqlRenderError = SqlglotError
"""What rendering raises where a dialect cannot say part of a query."""


class SqlCompileError(DataFileError):
    """A rule the compiler cannot express; `problems` say where, with file:line:col."""


def columns() -> dict[str, str]:
    """The canonical typed columns of the table a query screens: field -> SQL type (sqlglot's)."""
    return {name: _TYPES[spec.kind] for name, spec in FIELDS.items()}


# ---------------------------------------------------------------- what a typed value may be


def _literal(value: Any) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(value) if isinstance(value, float) else value)
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    return exp.Literal.string(str(value))


def _reads_as_itself(ruleset: Ruleset, name: str, kind: Kind, value: Any) -> bool:
    """Whether screen() reads this typed value as itself (a code 'FL' alone is refused)."""
    try:
        return bool(ruleset.book.read(name, kind, value) == value)
    except FormValueError:
        return False


def _bounds(ruleset: Ruleset, name: str, kind: Kind) -> tuple[float | None, float | None]:
    """The numbers screen() accepts in a number field: its range, and for a multiple of ULN at
    most the lab's `bare_max` (a bare number above it could be a lab value: screen() asks)."""
    book = ruleset.book
    entry = book.field(name)
    low = entry.range.min if entry.range else None
    high = entry.range.max if entry.range else None
    labs = book.data.labs
    if entry.analyte is not None and labs is not None and entry.analyte in labs.analytes:
        bare = labs.analytes[entry.analyte].bare_max
        if bare is not None:
            high = bare if high is None else min(high, bare)
    if kind is Kind.NUMBER:  # NaN and ±infinity fall outside (NaN is above all in some engines)
        low = -_LARGEST if low is None else low
        high = _LARGEST if high is None else high
    return low, high


def accepted(ruleset: Ruleset, name: str) -> exp.Expr:
    """The predicate 'this column holds a value screen() would read as itself' (NULL when the
    column is NULL): the field's range, its codes, true/false, a date of the book's calendar."""
    spec = FIELDS[name]
    column = exp.column(name)
    match spec.kind:
        case Kind.INTEGER | Kind.NUMBER:
            low, high = _bounds(ruleset, name, spec.kind)
            if low is not None and high is not None:  # BETWEEN: see _sqlite_exact
                return exp.Between(this=column, low=_literal(low), high=_literal(high))
            parts: list[exp.Expr] = [column.is_(exp.null()).not_()]
            if low is not None:
                parts.append(exp.GTE(this=column.copy(), expression=_literal(low)))
            if high is not None:
                parts.append(exp.LTE(this=column.copy(), expression=_literal(high)))
            return exp.and_(*parts)
        case Kind.CHOICE | Kind.DIAGNOSIS:
            known = spec.choices if spec.kind is Kind.CHOICE else tuple(ruleset.vocabulary.codes)
            codes = [c for c in known if _reads_as_itself(ruleset, name, spec.kind, c)]
            return column.isin(*map(_literal, codes))
        case Kind.YES_NO:
            return column.isin(exp.true(), exp.false())
        case Kind.DATE:
            dates = ruleset.book.data.dates
            return exp.Between(
                this=column, low=_literal(dates.earliest), high=_literal(dates.latest)
            )
        case _:
            return column.is_(exp.null()).not_()


# ---------------------------------------------------------------- conditions as truths 0/1/2


_COMPARISONS: dict[str, type[exp.Binary]] = {
    "lt": exp.LT,
    "le": exp.LTE,
    "gt": exp.GT,
    "ge": exp.GTE,
    "eq": exp.EQ,
    "ne": exp.NEQ,
}


def _number(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _either(parts: Sequence[exp.Expr], decisive: int) -> exp.Expr:
    """Kleene `any` (decisive 2: one true part makes it true) or `all` (decisive 0), on truths
    0/1/2: the decisive truth if a part has it, else unknown if a part is unknown, else the
    other. (GREATEST/LEAST would do, but older SQL Server has neither.)"""

    def having(truth: int) -> exp.Expr:
        return exp.or_(*[exp.EQ(this=part.copy(), expression=_number(truth)) for part in parts])

    return (
        exp.Case()
        .when(having(decisive), _number(decisive))
        .when(having(NEEDS_INFO), _number(NEEDS_INFO))
        .else_(_number(FLAGGED - decisive))
    )


class _Compiler:
    """Compiles the rules of one ruleset: each condition to its truth, 0 false, 1 unknown, 2 true.

    Kleene logic as numbers — `all` is the least truth, `any` the greatest, `not` is 2 − truth —
    so that a rule's truth is its status (2 flagged, 1 needs info, 0 clear), every comparison is
    written once, and no boolean value is needed (T-SQL has none). A truth is never NULL.
    """

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset

    def refuse(self, where: Location, message: str) -> SqlCompileError:
        return SqlCompileError([self.ruleset.doc.locate(where, message)])

    def truth(self, condition: Condition, required: frozenset[str], where: Location) -> exp.Expr:
        match condition:
            case AnyOf(of=parts) | AllOf(of=parts):
                each = [
                    self.truth(part, required, (*where, "of", i)) for i, part in enumerate(parts)
                ]
                return _either(each, FLAGGED if isinstance(condition, AnyOf) else CLEAR)
            case Not(condition=inner):
                inner_truth = self.truth(inner, required, (*where, "condition"))
                return exp.Sub(this=_number(FLAGGED), expression=_paren(inner_truth))
            case Compare() | Equals() | Member():
                return self.leaf(condition, required, where)
            case _:
                op = getattr(condition, "op", type(condition).__name__)
                raise self.refuse(where, f"the SQL compiler cannot express a condition {op!r}")

    def leaf(self, leaf: Leaf, required: frozenset[str], where: Location) -> exp.Expr:
        spec = spec_of(leaf.field)
        if spec is None or spec.kind in (Kind.TEXT, Kind.DATE):
            kind = spec.kind.value if spec else "unknown"
            message = f"the SQL compiler cannot compare {leaf.field!r} ({kind}) in a rule"
            raise self.refuse((*where, "field"), message)
        column = exp.column(leaf.field)
        if isinstance(leaf, Member):
            holds: exp.Expr = column.isin(*map(_literal, leaf.values))
            if leaf.op == "not_in":
                holds = exp.not_(holds)
        elif leaf.op in _COMPARISONS:
            holds = _COMPARISONS[leaf.op](this=column, expression=_literal(leaf.value))
        else:
            raise self.refuse((*where, "op"), f"the SQL compiler cannot express {leaf.op!r}")
        # Derived facts (age) are NULL when missing and never unreadable, as derive() leaves them.
        valid = (
            column.is_(exp.null()).not_()
            if leaf.field in DERIVED
            else exp.EQ(this=exp.column(_ok(leaf.field)), expression=_number(1))
        )
        compared = exp.Case().when(holds, _number(FLAGGED)).else_(_number(CLEAR))
        truth = exp.Case()
        if leaf.field not in required:  # optional: where not recorded, its comparisons are false
            truth = truth.when(column.copy().is_(exp.null()), _number(CLEAR))
        return truth.when(valid, compared).else_(_number(NEEDS_INFO))


def _paren(expression: exp.Expr) -> exp.Expr:
    return exp.Paren(this=expression)


def _ok(field: str) -> str:
    """The column saying whether a field holds a value screen() accepts: 1 or 0 (T-SQL has no
    boolean values, only predicates)."""
    return f"{field}_ok"


def _stored(name: str) -> exp.Expr:
    """A column as the rules read it: a code or class without surrounding spaces, blank text as
    missing (SPEC §2: blank = missing; screen() strips values too); other kinds as they are."""
    column = exp.column(name)
    if FIELDS[name].kind in (Kind.CHOICE, Kind.DIAGNOSIS):
        return exp.Nullif(this=exp.Trim(this=column), expression=exp.Literal.string(""))
    return column


def _flag(predicate: exp.Expr) -> exp.Expr:
    """A predicate as a value: 1 when it holds, else 0."""
    return exp.Case().when(predicate, exp.Literal.number(1)).else_(exp.Literal.number(0))


def _fields_used(ruleset: Ruleset) -> list[str]:
    """The form fields the rules compare (not derived facts), in form order."""
    from cart_screen.ruleset import leaves

    used = {leaf.field for rule in ruleset.rules for leaf in leaves(rule.flag_when)}
    return [name for name in FIELDS if name in used]


# ---------------------------------------------------------------- the query


def _age(ruleset: Ruleset, day: exp.Expr, day_unread: exp.Expr) -> exp.Expr:
    """Age in completed years at `day`: from the date of birth, else age_years (derive's rules).
    A screening date given but not accepted (`day_unread`) dates no age from a date of birth:
    age_years stands, else the age is missing."""
    birth, stated = exp.column("date_of_birth"), exp.column("age_years")

    def md(date: exp.Expr) -> exp.Expr:
        return exp.Add(
            this=exp.Mul(this=exp.Month(this=date.copy()), expression=exp.Literal.number(100)),
            expression=exp.Day(this=date.copy()),
        )

    before_birthday = exp.Case().when(
        exp.LT(this=md(day), expression=md(birth)), exp.Literal.number(1)
    )
    years = exp.Sub(
        this=exp.Sub(this=exp.Year(this=day.copy()), expression=exp.Year(this=birth.copy())),
        expression=before_birthday.else_(exp.Literal.number(0)),
    )
    stated_ok = accepted(ruleset, "age_years")
    conflict = exp.and_(
        stated_ok,
        exp.GT(
            this=exp.Abs(this=exp.Sub(this=stated.copy(), expression=_paren(years))),
            expression=exp.Literal.number(1),
        ),
    )
    from_birth = exp.Case().when(conflict, exp.null()).else_(years.copy())
    born = exp.and_(
        accepted(ruleset, "date_of_birth"), exp.LTE(this=birth.copy(), expression=day.copy())
    )
    ages = ruleset.book.field("age_years").range  # an age from a birth date is held to them too
    if ages is not None and ages.min is not None:
        born = exp.and_(born, exp.GTE(this=_paren(years), expression=exp.Literal.number(ages.min)))
    if ages is not None and ages.max is not None:
        born = exp.and_(born, exp.LTE(this=_paren(years), expression=exp.Literal.number(ages.max)))
    undated = exp.and_(
        exp.EQ(this=day_unread, expression=exp.Literal.number(1)),
        accepted(ruleset, "date_of_birth"),
    )
    stated_only = exp.Case().when(stated_ok.copy(), stated.copy()).else_(exp.null())
    return (
        exp.Case()
        .when(undated, stated_only)
        .when(born, from_birth)
        .when(stated_ok.copy(), stated.copy())
        .else_(exp.null())
    )


def screening_query(
    ruleset: Ruleset,
    *,
    table: str | exp.Table = DEFAULT_TABLE,
    as_of: dt.date | None = None,
    language: Language = "en",
) -> exp.Select:
    """The query screening every row of `table`, as a dialect-neutral sqlglot tree.

    `as_of` is the screening date of rows without one; None leaves it to the engine's
    CURRENT_DATE when the query runs. Raises SqlCompileError for a rule it cannot express.
    """
    compiler = _Compiler(ruleset)
    statuses = []
    for n, rule in enumerate(ruleset.rules):
        where = ("rules", n, "flag_when")
        status = compiler.truth(rule.flag_when, frozenset(rule.required), where)
        statuses.append(status.as_(f"status_{n}"))
    used = _fields_used(ruleset)
    source = table if isinstance(table, exp.Table) else exp.to_table(table)
    day = exp.column("screening_day")
    fallback = _literal(as_of) if as_of is not None else exp.cast(exp.CurrentDate(), "DATE")

    # 1. each field as stored (a code without surrounding spaces; blank text is missing), and
    #    the screening date
    stored = [*used, *(name for name in ("date_of_birth", "age_years") if name not in used)]
    read = exp.select(
        exp.column("patient_id").as_("patient_id"),
        *[_stored(name).as_(name) for name in stored],
        exp.Case()
        .when(accepted(ruleset, "screening_date"), exp.column("screening_date"))
        .else_(fallback)
        .as_("screening_day"),
        exp.Case()
        .when(
            exp.and_(
                exp.column("screening_date").is_(exp.null()).not_(),
                exp.not_(accepted(ruleset, "screening_date")),
            ),
            exp.Literal.number(1),
        )
        .else_(exp.Literal.number(0))
        .as_("screening_day_unread"),
    ).from_(source)
    # 2. whether each field holds a value screen() accepts, and the derived facts (age)
    facts = exp.select(
        exp.column("patient_id"),
        *[exp.column(name) for name in used],
        *[_flag(accepted(ruleset, name)).as_(_ok(name)) for name in used],
        _age(ruleset, day, exp.column("screening_day_unread")).as_("age"),
    ).from_(read.subquery("read_values"))
    # 3. each rule's status, once
    judged = exp.select(exp.column("patient_id"), *statuses).from_(facts.subquery("facts"))
    # 4. the statuses of each group of rules as one number (each status used once), and the
    #    group's piece of each list looked up by it
    groups = [
        range(start, min(start + GROUP, len(ruleset.rules)))
        for start in range(0, len(ruleset.rules), GROUP)
    ]
    keyed = exp.select(
        exp.column("patient_id"),
        *[_group_key(group).as_(f"key_{g}") for g, group in enumerate(groups)],
    ).from_(judged.subquery("judged"))
    result: exp.Select = exp.select(
        exp.column("patient_id", "keyed").as_("patient_id"),
        _outcome(len(groups)).as_("outcome"),
        _listed("flagged", len(groups)).as_("flagged"),
        _listed("needs_info", len(groups)).as_("needs_info"),
        exp.Literal.string(ruleset.sha256).as_("ruleset_sha256"),
        exp.Literal.string(M.NOTICE(language)).as_("notice"),
    ).from_(keyed.subquery("keyed"))
    for g, group in enumerate(groups):
        pieces = _pieces([ruleset.rules[n].id for n in group], f"lists_{g}")
        on = exp.EQ(
            this=exp.column("code", f"lists_{g}"), expression=exp.column(f"key_{g}", "keyed")
        )
        result = result.join(pieces, on=on, join_type="left")
    return result


GROUP = 4
"""Rules per lookup: 3**4 = 81 rows a group. Bigger groups join fewer pieces but grow the
query (3**6 = 729 rows a group); see benchmarks/sql_speed.py."""


def _group_key(group: range) -> exp.Expr:
    """The statuses of a group of rules as one number in base 3: the first rule's status, plus
    3 times the second's, plus 9 times the third's, …"""
    terms = [
        exp.Mul(this=exp.column(f"status_{n}"), expression=_number(3**place))
        for place, n in enumerate(group)
    ]
    key: exp.Expr = terms[0]
    for term in terms[1:]:
        key = exp.Add(this=key, expression=term)
    return key


def _pieces(ids: Sequence[str], alias: str) -> exp.Values:
    """The lookup of one group of rules (a constant table `alias`): for each key (see
    _group_key), the ids of the group's flagged rules and of those needing information, in
    ruleset order joined by one space, NULL when none."""

    def text(words: list[str]) -> exp.Expr:
        return exp.Literal.string(" ".join(words)) if words else exp.cast(exp.null(), "TEXT")

    rows = []
    for code in range(3 ** len(ids)):
        statuses = [code // 3**place % 3 for place in range(len(ids))]
        flagged = [rule for rule, s in zip(ids, statuses, strict=True) if s == FLAGGED]
        unknown = [rule for rule, s in zip(ids, statuses, strict=True) if s == NEEDS_INFO]
        rows.append((_number(code), text(flagged), text(unknown)))
    return exp.values(rows, alias=alias, columns=["code", "flagged", "needs_info"])


def _no_id() -> exp.Expr:
    patient_id = exp.column("patient_id", "keyed")
    return exp.or_(
        patient_id.is_(exp.null()),
        exp.EQ(this=exp.Trim(this=patient_id.copy()), expression=exp.Literal.string("")),
    )


def _outcome(groups: int) -> exp.Expr:
    def any_listed(column: str) -> exp.Expr:
        return exp.or_(
            *[exp.column(column, f"lists_{g}").is_(exp.null()).not_() for g in range(groups)]
        )

    return (
        exp.Case()
        .when(_no_id(), exp.Literal.string("error"))
        .when(any_listed("flagged"), exp.Literal.string("flagged"))
        .when(any_listed("needs_info"), exp.Literal.string("needs_info"))
        .else_(exp.Literal.string("no_flags"))
    )


def _listed(column: str, groups: int) -> exp.Expr:
    pieces = [exp.column(column, f"lists_{g}") for g in range(groups)]
    # CONCAT_WS skips NULLs (where a dialect's does not, _joined_by_hand stands in)
    joined = exp.ConcatWs(expressions=[exp.Literal.string(" "), *pieces], safe=True, coalesce=True)
    return exp.Case().when(_no_id(), exp.Literal.string("")).else_(joined)


# ---------------------------------------------------------------- rendering per dialect


def _sqlite_dates(node: exp.Expr) -> exp.Expr:
    """SQLite has no date type or YEAR(): its dates are ISO texts, their parts via STRFTIME."""
    parts: tuple[tuple[type[exp.Expr], str], ...] = (
        (exp.Year, "%Y"),
        (exp.Month, "%m"),
        (exp.Day, "%d"),
    )
    for kind, form in parts:
        if isinstance(node, kind):
            part = exp.TimeToStr(this=node.this, format=exp.Literal.string(form))
            return exp.cast(part, "INT")
    return node


def _sqlite_exact(node: exp.Expr) -> exp.Expr:
    """SQLite stores what it is given whatever the column's type: a date column may hold
    '1960-02-30' and an integer column 2.5, which screen() refuses (unknown). A field's range
    check (`accepted`, a BETWEEN on its column) there also asks that a date be a real calendar
    date (DATE(…, '+0 days') gives back the same text) and an integer a whole number (typeof)."""
    if not isinstance(node, exp.Between) or not isinstance(node.this, exp.Column):
        return node
    spec = FIELDS.get(node.this.name)
    if spec is None or spec.kind not in (Kind.DATE, Kind.INTEGER):
        return node
    column = node.this.copy()
    if spec.kind is Kind.DATE:  # DATE() keeps a day 29-31 as given; a modifier normalises it
        normal = exp.Anonymous(this="DATE", expressions=[column, exp.Literal.string("+0 days")])
        exact: exp.Expr = exp.EQ(this=normal, expression=column.copy())
    else:
        kind = exp.Anonymous(this="TYPEOF", expressions=[column])
        exact = exp.EQ(this=kind, expression=exp.Literal.string("integer"))
    return exp.and_(node.copy(), exact)


def _national_texts(node: exp.Expr) -> exp.Expr:
    """SQL Server keeps text beyond ASCII (the notice's dash, Chinese) only in N'…' literals."""
    if isinstance(node, exp.Literal) and node.is_string and not node.this.isascii():
        return exp.National(this=node.this)
    return node


def _joined_by_hand(node: exp.Expr) -> exp.Expr:
    """Where CONCAT_WS is missing (SQLite before 3.44, BigQuery) or NULL when a part is
    (Snowflake): each part after its separator, or nothing, then the separator trimmed off the
    front (rule ids hold no spaces)."""
    if not isinstance(node, exp.ConcatWs):
        return node
    separator, *parts = node.expressions
    spaced = [
        exp.Coalesce(
            this=exp.DPipe(this=separator.copy(), expression=part.copy(), safe=True),
            expressions=[exp.Literal.string("")],
        )
        for part in parts
    ]
    return exp.Trim(
        this=exp.Concat(expressions=spaced, safe=True, coalesce=False),
        expression=separator.copy(),
        position="LEADING",
    )


def _values_as_selects(node: exp.Expr) -> exp.Expr:
    """SQLite names no columns of a VALUES table: its rows as SELECTs joined by UNION ALL."""
    if not isinstance(node, exp.Values) or not isinstance(node.parent, exp.Join):
        return node
    names = node.args["alias"].columns
    first, *rest = node.expressions
    selects = [
        exp.select(*[value.copy().as_(name) for value, name in zip(first, names, strict=True)]),
        *[exp.select(*[value.copy() for value in row]) for row in rest],
    ]
    table: exp.Query = selects[0]
    for select in selects[1:]:
        table = exp.union(table, select, distinct=False)
    return table.subquery(node.alias)


def _both(
    first: Callable[[exp.Expr], exp.Expr], second: Callable[[exp.Expr], exp.Expr]
) -> Callable[[exp.Expr], exp.Expr]:
    return lambda node: second(first(node))


_TRANSFORMS: dict[str, Callable[[exp.Expr], exp.Expr]] = {
    "sqlite": _both(
        _both(_sqlite_dates, _joined_by_hand), _both(_values_as_selects, _sqlite_exact)
    ),
    "bigquery": _joined_by_hand,
    "snowflake": _joined_by_hand,
    "tsql": _national_texts,
}


def render(tree: exp.Expr, dialect: str, *, pretty: bool = True) -> str:
    """The tree as `dialect`'s SQL; sqlglot raises where it cannot say something in it."""
    transform = _TRANSFORMS.get(dialect)
    if transform is not None:
        tree = tree.transform(transform)
    return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE)


class TableNameError(ValueError):
    """A --table that is not a table name in the dialect."""


def table_of(name: str, dialect: str) -> exp.Table:
    """A table name as the dialect reads it (`schema.table`, quoted parts); else TableNameError."""
    try:
        table = sqlglot.parse_one(name, into=exp.Table, read=dialect)
    except (ParseError, SqlglotError, ValueError) as exc:
        raise TableNameError(name) from exc
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise TableNameError(name)  # four parts or more, or something else altogether
    if not table.name:
        raise TableNameError(name)
    return table


def screening_sql(
    ruleset: Ruleset,
    dialect: str,
    *,
    table: str = DEFAULT_TABLE,
    as_of: dt.date | None = None,
    language: Language = "en",
) -> str:
    """The screening query in `dialect` (see screening_query)."""
    tree = screening_query(ruleset, table=table_of(table, dialect), as_of=as_of, language=language)
    return render(tree, dialect) + ";\n"


def schema_sql(dialect: str, *, table: str = DEFAULT_TABLE) -> str:
    """CREATE TABLE of the canonical typed columns a screening query reads."""
    schema = exp.Schema(
        this=table_of(table, dialect),
        expressions=[
            exp.ColumnDef(this=exp.to_identifier(name), kind=exp.DataType.build(kind))
            for name, kind in columns().items()
        ],
    )
    create = exp.Create(this=schema, kind="TABLE")
    return render(create, dialect) + ";\n"


# ---------------------------------------------------------------- the terms lookup table


def term_key(field: str, text: str, ruleset: Ruleset | None = None) -> str | None:
    """The `normalised` key of a warehouse's text for the lookup table, or None where the text
    must stay unknown (a sign, a stray mark or a question mark: 'NYHA ＞II' is not II)."""
    book = (ruleset or default_ruleset()).book
    return book.lookup_key(field, FIELDS[field].kind, text)


def terms(ruleset: Ruleset) -> Iterator[tuple[str, str, str]]:
    """(field, normalised term, value) for every spelling a coded field accepts:
    the diagnosis vocabulary, choice fields' spellings, yes/no. One row per normalised term."""
    book = ruleset.book
    diagnosis_index = book.vocabulary.lexicon.index
    yes_no = book.lexicons["yes/no"].index
    sources: list[tuple[str, dict[str, str]]] = [("diagnosis", diagnosis_index)]
    for name, spec in FIELDS.items():
        if spec.kind is Kind.CHOICE and name in book.lexicons:
            sources.append((name, book.lexicons[name].index))
        elif spec.kind is Kind.YES_NO:
            sources.append(
                (name, {key: ("true" if v == "yes" else "false") for key, v in yes_no.items()})
            )
    for field, index in sources:
        for key in sorted(index):
            yield field, key, index[key]


def terms_sql(ruleset: Ruleset, dialect: str, *, table: str = TERMS_TABLE) -> str:
    """CREATE TABLE and INSERTs of the lookup from normalised terms to canonical values."""
    name = table_of(table, dialect)
    text = exp.DataType.build("TEXT")
    schema = exp.Schema(
        this=name,
        expressions=[
            exp.ColumnDef(this=exp.to_identifier(column), kind=text.copy())
            for column in ("field", "normalised", "value")
        ],
    )
    statements: list[exp.Expr] = [exp.Create(this=schema, kind="TABLE")]
    rows = list(terms(ruleset))
    for start in range(0, len(rows), 500):  # SQL Server takes at most 1000 rows a VALUES
        values = exp.values(
            [tuple(exp.Literal.string(v) for v in row) for row in rows[start : start + 500]]
        )
        statements.append(exp.insert(values, name.copy()))
    return "".join(render(s, dialect) + ";\n" for s in statements)
