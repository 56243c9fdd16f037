"""The course's database: one engine for a URL, and the migration chains of the tables in it.

The course server keeps everything in one database (SQLite in WAL mode on a laptop,
PostgreSQL by URL): the learners' progress events, owned here by the class record,
and the live sessions, owned by ``course.live``. Each owner keeps its own Alembic
chain with its own version table, so a layer migrates its tables without knowing
the layers above it: ``Database`` migrates the record's chain; ``course.live.store``
adds the live chain on top. Migrations ship in the package and run through Alembic's
Python API, so no ``alembic`` command is needed on PATH. Dialect-specific SQL
(upserts, pragmas) lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def now() -> datetime:
    return datetime.now(UTC)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def read_only_sqlite(path: Path) -> Engine:
    """An engine that cannot write to or create ``path``: for readers beside a running server."""
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


class RecordBase(DeclarativeBase):
    """The class record's tables (progress events); live's tables have their own base."""

    metadata = MetaData(naming_convention=NAMES)


@dataclass(frozen=True)
class Migrations:
    """One owner's Alembic chain: its script folder (with an ``env.py``) and version table."""

    location: Path
    version_table: str


EVENTS = Migrations(Path(__file__).parent / "migrations", "course_record_alembic_version")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets the presenter read while answers are written; NORMAL sync survives a crash
    of the server process (not of the machine) at a fraction of FULL's cost."""
    cursor = connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Database:
    """An engine, a session factory and the migrations for one database URL.

    ``chains`` are migrated in order, lowest layer first; a subclass adds its own.
    """

    chains: ClassVar[tuple[Migrations, ...]] = (EVENTS,)

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {}
        if self.is_sqlite:
            options["connect_args"] = {"check_same_thread": False}
        else:
            options.update(pool_pre_ping=True, pool_size=8)
        self.engine: Engine = create_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._upserts: dict[tuple[Any, ...], Any] = {}

    def migrate(self) -> None:
        """Bring every chain's tables to the newest revision shipped with the package."""
        for chain in self.chains:
            config = Config()
            config.set_main_option("script_location", str(chain.location))
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                config.attributes["version_table"] = chain.version_table
                command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on an exception."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def insert_new(self, session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows whose primary key is not stored yet; returns how many were new.

        RETURNING counts the new rows on both dialects (a driver's executemany
        rowcount is not reliable).
        """
        if not rows:
            return 0
        key = next(iter(table.__table__.primary_key.columns))
        statement = self._insert(table).on_conflict_do_nothing().returning(key)
        return len(session.execute(statement, list(rows)).all())

    def upsert(
        self,
        session: Session | Connection,
        table: Any,
        values: dict[str, Any] | Sequence[dict[str, Any]],
        keys: list[str],
        fields: list[str],
    ) -> None:
        """Insert rows, or update ``fields`` of the row with the same ``keys``, atomically.

        ``values`` is one row or a list of rows (run as one executemany, in order: a later
        row with the same keys wins). The statement is built once per table and columns.
        """
        rows = [values] if isinstance(values, dict) else list(values)
        if rows:
            connection = session.connection() if isinstance(session, Session) else session
            connection.execute(self._upsert(table, tuple(keys), tuple(fields)), rows)

    def _upsert(self, table: Any, keys: tuple[str, ...], fields: tuple[str, ...]) -> Any:
        cached = self._upserts.get((table, keys, fields))
        if cached is None:
            statement = self._insert(getattr(table, "__table__", table))
            cached = statement.on_conflict_do_update(
                index_elements=list(keys), set_={name: statement.excluded[name] for name in fields}
            )
            self._upserts[(table, keys, fields)] = cached
        return cached
