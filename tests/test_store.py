from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.errors import ConfigError, TransitionError, UnknownDraft
from bot.models import (
    Draft,
    DraftKind,
    DraftStatus,
    EventOccurrence,
    Image,
    NewsItem,
    Note,
    PublisherProblem,
    PublisherProblemKind,
)
from bot.ports import OccurrenceChange
from bot.store import SqlStore, open_store
from bot.store.engine import HEAD_REVISION, MIGRATIONS, make_engine, schema_revision
from bot.store.schema import metadata

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def news_draft(**changes: object) -> Draft:
    values: dict[str, object] = {
        "kind": DraftKind.NEWS,
        "text": "Nova cooperativa a Igualada https://www.igualada.cat/n/1",
        "created_at": NOW,
        "member": "Igualada",
        "image": Image("https://www.igualada.cat/i.jpg", "Sòcies de la cooperativa"),
        "matched_keywords": ("cooperativa",),
    }
    return Draft(**(values | changes))  # type: ignore[arg-type]


def test_the_migrations_build_exactly_the_declared_schema(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_the_head_revision_is_the_newest_migration(store: SqlStore) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    assert schema_revision(store.engine) == HEAD_REVISION


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_opening_twice_keeps_the_data(database_url: str) -> None:
    stored = open_store(database_url).add_draft(news_draft(), "xmess-bot")
    assert stored is not None
    assert open_store(database_url).get_draft(stored.id or 0).text == stored.text


def test_upgrading_an_older_database_keeps_its_drafts_notes_and_history(
    database_url: str,
) -> None:
    """Migration 0005 rebuilds tables on SQLite, which the notes and history point at."""
    fresh = _empty_twin(database_url)
    engine = make_engine(fresh)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    older = SqlStore(engine)
    draft = older.add_draft(news_draft(), "xmess-bot")
    assert draft is not None and draft.id is not None
    older.add_note(draft.id, Note("Marta", "Confirmar", NOW))
    older.close()

    upgraded = open_store(fresh)
    assert schema_revision(upgraded.engine) == HEAD_REVISION
    assert upgraded.get_draft(draft.id) == replace(draft, notes=[Note("Marta", "Confirmar", NOW)])
    assert [h.action for h in upgraded.history(draft.id)] == ["create"]
    if upgraded.engine.dialect.name == "sqlite":
        with upgraded.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    upgraded.close()


def test_processes_opening_a_new_database_together_migrate_it_once(database_url: str) -> None:
    """`run` replicas (or a command beside `run`) open the same new database at once: one
    migrates, the others wait and find it done."""
    fresh = _empty_twin(database_url)
    with ThreadPoolExecutor(max_workers=3) as pool:
        stores = list(pool.map(open_store, [fresh] * 3))
    assert [schema_revision(s.engine) for s in stores] == [HEAD_REVISION] * 3
    for opened in stores:
        opened.close()


def _empty_twin(database_url: str) -> str:
    """A database beside the test's that nothing has opened yet (dropped with the server)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return str(url.set(database=str(url.database) + ".twin"))
    store = open_store(database_url)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"CREATE DATABASE {url.database}_twin"))
    store.close()
    return url.set(database=f"{url.database}_twin").render_as_string(hide_password=False)


def test_a_draft_comes_back_as_it_went_in(store: SqlStore) -> None:
    stored = store.add_draft(news_draft(scheduled_at=NOW + timedelta(hours=2)), "xmess-bot")
    assert stored is not None
    loaded = store.get_draft(stored.id or 0)
    assert loaded == stored
    assert loaded.scheduled_at is not None and loaded.scheduled_at.tzinfo is UTC


def test_a_naive_time_is_refused(store: SqlStore) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        naive = datetime(2026, 11, 27, 10)  # noqa: DTZ001 - the point of the test
        store.add_draft(news_draft(created_at=naive), "xmess-bot")


def test_the_same_dedupe_key_stores_one_draft(store: SqlStore) -> None:
    assert store.add_draft(news_draft(), "xmess-bot", dedupe_key="news:a") is not None
    assert store.add_draft(news_draft(), "xmess-bot", dedupe_key="news:a") is None
    assert len(store.list_drafts()) == 1


def test_every_change_is_in_the_history(store: SqlStore) -> None:
    draft = store.add_draft(news_draft(), "xmess-bot")
    assert draft is not None and draft.id is not None
    later = NOW + timedelta(minutes=5)
    store.change_draft(
        draft.id, actor="Marta", action="edit", at=later, text="Text nou", detail="més curt"
    )
    store.change_draft(
        draft.id, actor="Jordi", action="approve", at=later, status=DraftStatus.APPROVED
    )
    assert [(h.actor, h.action, h.status_before, h.status_after, h.text_before, h.text_after)
            for h in store.history(draft.id)] == [
        ("xmess-bot", "create", None, DraftStatus.PENDING, None, draft.text),
        ("Marta", "edit", DraftStatus.PENDING, DraftStatus.PENDING, draft.text, "Text nou"),
        ("Jordi", "approve", DraftStatus.PENDING, DraftStatus.APPROVED, "Text nou", "Text nou"),
    ]  # fmt: skip


def test_a_forbidden_move_changes_nothing(store: SqlStore) -> None:
    draft = store.add_draft(news_draft(), "xmess-bot")
    assert draft is not None and draft.id is not None
    with pytest.raises(TransitionError):
        store.change_draft(
            draft.id, actor="x", action="publish", at=NOW, status=DraftStatus.PUBLISHED
        )
    assert store.get_draft(draft.id).status is DraftStatus.PENDING
    assert len(store.history(draft.id)) == 1


def test_a_claim_counts_the_attempt_and_writes_the_history(store: SqlStore) -> None:
    draft = store.add_draft(news_draft(status=DraftStatus.APPROVED, scheduled_at=NOW), "x")
    assert draft is not None and draft.id is not None
    claimed = store.claim_draft(draft.id, actor="xmess-bot", at=NOW)
    assert claimed == store.get_draft(draft.id)
    assert (claimed.status, claimed.publish_attempts) == (DraftStatus.PUBLISHING, 1)
    assert [(h.action, h.status_before, h.status_after, h.detail)
            for h in store.history(draft.id)] == [
        ("create", None, DraftStatus.APPROVED, ""),
        ("claim", DraftStatus.APPROVED, DraftStatus.PUBLISHING, "intent 1"),
    ]  # fmt: skip


def test_a_claim_loses_when_someone_moved_the_draft_first(store: SqlStore) -> None:
    draft = store.add_draft(news_draft(status=DraftStatus.APPROVED, scheduled_at=NOW), "x")
    assert draft is not None and draft.id is not None
    store.change_draft(draft.id, actor="a", action="claim", at=NOW, status=DraftStatus.PUBLISHING)
    assert store.claim_draft(draft.id, actor="b", at=NOW) is None
    assert len(store.history(draft.id)) == 2


def test_concurrent_claimers_claim_each_due_draft_once(store: SqlStore) -> None:
    """Four threads, each with its own connections, race over the same 200 due drafts, the
    way replicas of `run` do: every draft is claimed by exactly one of them."""
    ids = [
        stored.id or 0
        for number in range(200)
        if (stored := store.add_draft(news_draft(status=DraftStatus.APPROVED,
                                                  scheduled_at=NOW, text=f"Post {number}"), "x"))
    ]  # fmt: skip

    def claim_all(claimer: int) -> list[int]:
        own = open_store(str(store.engine.url.render_as_string(hide_password=False)))
        won = [i for i in ids if own.claim_draft(i, actor=f"replica-{claimer}", at=NOW)]
        own.close()
        return won

    with ThreadPoolExecutor(max_workers=4) as pool:
        winners = list(pool.map(claim_all, range(4)))
    assert sorted(i for won in winners for i in won) == ids
    assert {d.publish_attempts for d in store.list_drafts()} == {1}


def test_an_item_with_a_very_long_link_is_remembered_once(store: SqlStore) -> None:
    """Keys over the index limit are stored shortened, the same way each time they come."""
    link = "https://www.igualada.cat/n/" + "llarg-" * 2000
    item = NewsItem(link, link, "Títol", "Resum", NOW, "https://www.igualada.cat/rss", "Igualada")
    entry = (item, link, ("cooperativa",))
    assert store.record_items([entry], NOW) == [True]
    assert store.record_items([entry], NOW) == [False]


def test_an_unreachable_postgresql_server_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(ConfigError) as error:
        open_store("postgresql+psycopg://xmess:s3cr3t@127.0.0.1:1/xmess")
    message = str(error.value)
    assert (message.startswith("database_url: no s'ha pogut obrir"), "s3cr3t" in message) == (
        True,
        False,
    )


def test_an_unknown_id_is_a_clear_error(store: SqlStore) -> None:
    with pytest.raises(UnknownDraft, match="identificador 99"):
        store.get_draft(99)


def test_notes_stay_with_their_draft(store: SqlStore) -> None:
    draft = store.add_draft(news_draft(), "xmess-bot")
    assert draft is not None and draft.id is not None
    store.add_note(draft.id, Note("Marta", "Confirmar amb l'Ajuntament", NOW))
    assert store.get_draft(draft.id).notes == [Note("Marta", "Confirmar amb l'Ajuntament", NOW)]


def test_due_drafts_are_approved_ones_whose_time_has_come(store: SqlStore) -> None:
    for hours in (-1, 0, 1):
        store.add_draft(
            news_draft(status=DraftStatus.APPROVED, scheduled_at=NOW + timedelta(hours=hours)), "x"
        )
    store.add_draft(news_draft(scheduled_at=NOW - timedelta(hours=3)), "x")
    due = store.due_drafts(NOW)
    assert [d.scheduled_at for d in due] == [NOW - timedelta(hours=1), NOW]


def item(guid: str, link: str) -> NewsItem:
    return NewsItem(guid, link, "Títol", "Resum", NOW, "https://a.cat/rss", "Igualada")


def test_an_item_is_known_by_its_guid_or_its_link(store: SqlStore) -> None:
    first = [(item("g1", "https://a.cat/1"), "g1", ())]
    assert store.record_items(first, NOW) == [True]
    again = [
        (item("g1", "https://a.cat/other"), "g1", ()),
        (item("g2", "https://a.cat/1"), "g2", ()),
        (item("g3", "https://a.cat/3"), "g3", ()),
        (item("g3", "https://a.cat/3b"), "g3", ()),
    ]
    assert store.record_items(again, NOW) == [False, False, True, False]


def occurrence(**changes: object) -> EventOccurrence:
    values: dict[str, object] = {
        "calendar": "Agenda XMESS",
        "uid": "assemblea@xmess.cat",
        "recurrence_id": "",
        "sequence": 0,
        "title": "Assemblea",
        "starts_at": NOW + timedelta(days=10),
        "ends_at": NOW + timedelta(days=10, hours=3),
    }
    return EventOccurrence(**(values | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("second", "change"),
    [
        (occurrence(), OccurrenceChange.UNCHANGED),
        (occurrence(sequence=1, location="Manresa"), OccurrenceChange.UPDATED),
        (occurrence(sequence=1, starts_at=NOW + timedelta(days=11)), OccurrenceChange.MOVED),
        (occurrence(sequence=2, cancelled=True), OccurrenceChange.CANCELLED),
    ],
)
def test_a_resynced_occurrence_says_what_changed(
    store: SqlStore, second: EventOccurrence, change: OccurrenceChange
) -> None:
    assert store.compare_occurrence(occurrence()) == (OccurrenceChange.NEW, None)
    store.save_occurrence(occurrence(), NOW)
    assert store.compare_occurrence(second) == (change, occurrence())
    store.save_occurrence(second, NOW)
    assert store.occurrence(second.key) == second


def test_a_problem_reported_again_keeps_when_it_started(store: SqlStore) -> None:
    limit = PublisherProblemKind.RATE_LIMIT
    store.report_problem(PublisherProblem(limit, "límit de X", NOW, NOW + timedelta(minutes=15)))
    later = NOW + timedelta(minutes=15)
    store.report_problem(PublisherProblem(limit, "encara el límit", later, later + timedelta(1)))
    store.clear_problems([PublisherProblemKind.BUDGET])
    assert store.publisher_problems() == [
        PublisherProblem(limit, "encara el límit", NOW, later + timedelta(1))
    ]
