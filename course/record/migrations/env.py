"""Alembic environment for the class record's tables: always run in-process on a given connection.

``Database.migrate`` passes its open connection and this chain's version table in
``config.attributes``; there is no alembic.ini and no command line, so the kit never
needs ``alembic`` on PATH.
"""

from alembic import context

from course.record.events import ProgressEvent

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=ProgressEvent.metadata,
    version_table=context.config.attributes["version_table"],
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
