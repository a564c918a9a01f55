"""Tests of the screening log (issue 11), on SQLite and on a real PostgreSQL server."""
