"""A list's screenings stored with their full results: what a list's results share, once.

`screened_lists` holds, once per list screened with `batch --log`, what every result of the list
says alike (the notice, ruleset, language, site, each item's rule id, category, severity, title,
source and note) and the names of the form's columns. `list_parts` holds, once per list, each
distinct part a record's result has of its own (an item's status and reason, an error). A
screening of a list points at its list (`screenings.list_id`); its `result` holds the numbers of
its parts, its `form` the cells in the list's column order. Append-only like the first tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("screened_lists", "list_parts")


def upgrade() -> None:
    op.create_table(
        "screened_lists",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
    )
    op.create_table(
        "list_parts",
        sa.Column("list_id", sa.Integer, sa.ForeignKey("screened_lists.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("part", sa.Text, nullable=False),
    )
    # ADD COLUMN on both engines: the table is not copied, so its triggers stay.
    # (Alembic's add_column would copy the table on SQLite to add the foreign key.)
    op.execute("ALTER TABLE screenings ADD COLUMN list_id INTEGER REFERENCES screened_lists (id)")
    if op.get_bind().dialect.name == "postgresql":
        for table_name in TABLES:  # the function is the first migration's
            op.execute(
                f"CREATE TRIGGER {table_name}_append_only BEFORE UPDATE OR DELETE ON "
                f"{table_name} FOR EACH ROW EXECUTE FUNCTION screening_log_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table_name}_no_truncate BEFORE TRUNCATE ON {table_name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION screening_log_append_only()"
            )
    else:
        for table_name in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table_name}_no_{action.lower()} BEFORE {action} ON "
                    f"{table_name} BEGIN SELECT RAISE(ABORT, 'the screening log is append-only: "
                    f"{action} on {table_name} is refused'); END"
                )
        # INSERT OR REPLACE deletes the row it replaces without firing the delete trigger: an
        # insert naming a recorded row's key is refused before it can (as in 0001).
        for table_name, same_key in (
            ("screened_lists", "id = NEW.id"),
            ("list_parts", "list_id = NEW.list_id AND number = NEW.number"),
        ):
            op.execute(
                f"CREATE TRIGGER {table_name}_no_replace BEFORE INSERT ON {table_name} "
                f"WHEN EXISTS (SELECT 1 FROM {table_name} WHERE {same_key}) "
                f"BEGIN SELECT RAISE(ABORT, 'the screening log is append-only: REPLACE on "
                f"{table_name} is refused'); END"
            )
