"""Alembic environment for the live-session store: always run in-process on a given connection.

``Store.migrate`` passes its open connection in ``config.attributes``; there is no
alembic.ini and no command line, so the kit never needs ``alembic`` on PATH.
"""

from alembic import context

from course.live.store import VERSION_TABLE, Base

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
