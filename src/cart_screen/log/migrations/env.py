"""Alembic's environment for the screening log: runs on the connection `store.migrate` passes.

No alembic.ini and no URL here: the log is migrated on first use by the program itself.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
