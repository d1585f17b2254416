"""Alembic environment of the launch record: run by :func:`launchwatch.record.store.upgrade`
with an open connection in ``config.attributes["connection"]``, or by the ``alembic`` command
line with ``sqlalchemy.url`` set."""

from alembic import context
from sqlalchemy import create_engine

from launchwatch.record.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    _run(conn)
else:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "alembic: no sqlalchemy.url"
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
