"""The benchmark's dataset: members, events with agendas, registrations and publications,
written with SQLAlchemy Core bulk inserts (executemany) into an already migrated database.

`build(database_url, scale=1.0)` at scale 1.0 writes 5,000 members, 2,000 events, 40,000
registrations and 10,000 publications; works on SQLite and PostgreSQL. Deterministic
(seeded random), so two runs at the same scale build the same data.
"""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from interacta.core.models import Topic
from interacta.events.models import AgendaSession, Event, Registration, event_topics
from interacta.members.models import SECTORS, Member, member_interests
from interacta.publications.models import (
    KINDS as PUBLICATION_KINDS,
)
from interacta.publications.models import (
    Publication,
    PublicationAuthor,
    publication_topics,
)

GIVEN = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Luca",
    "Maya",
    "Nils",
    "Olga",
    "Pavel",
]
FAMILY = [
    "Adler",
    "Berger",
    "Costa",
    "Dimitrov",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kovac",
    "Laurent",
]
WORDS = [
    "security",
    "governance",
    "peace",
    "cooperation",
    "conflict",
    "diplomacy",
    "defence",
    "alliance",
    "strategy",
    "resilience",
    "energy",
    "climate",
    "migration",
    "cyber",
    "arms",
    "control",
    "sanctions",
    "mediation",
    "border",
    "institutions",
    "regional",
    "maritime",
    "nuclear",
    "humanitarian",
    "development",
]
COUNTRIES = ["AT", "BE", "DE", "FR", "IT", "NL", "PL", "SE", "ES", "GB", "US", "CA"]
EVENT_KINDS = ("seminar", "workshop", "symposium", "conference", "course")
FORMATS = ("in_person", "online", "hybrid")
CHUNK = 2000


def _insert(conn, table, rows: list[dict]) -> None:
    """Bulk insert: COPY on PostgreSQL (several times faster than INSERT batches at
    BENCH_SCALE=10), executemany in chunks on SQLite."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        columns = list(rows[0])
        # COPY applies only the database's defaults: add the model's (Python-side) ones.
        defaults = {}
        for column in table.columns:
            default = column.default
            if column.name in columns or default is None or default.is_sequence:
                continue
            if default.is_scalar:
                defaults[column.name] = default.arg
            elif default.is_callable:
                defaults[column.name] = default.arg(None)
        names = ", ".join(f'"{c}"' for c in (*columns, *defaults))
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([*(row[c] for c in columns), *defaults.values()])
        return
    for start in range(0, len(rows), CHUNK):
        conn.execute(sa.insert(table), rows[start : start + CHUNK])


def _no_sync(dbapi_connection, _record) -> None:
    """A bench database on SQLite: no need to wait for the disk after each write (a speed
    only; skipped when the connection is already in a transaction)."""
    with contextlib.suppress(Exception):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def _ids(conn, table, column="id") -> list[int]:
    return list(conn.scalars(sa.select(table.c[column]).order_by(table.c[column])))


def _title(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def build(database_url: str, scale: float = 1.0) -> dict:
    rng = random.Random(8)  # noqa: S311 - benchmark data, not secrets
    n_members = max(int(5000 * scale), 60)
    n_events = max(int(2000 * scale), 10)
    n_registrations = int(40000 * scale)
    n_publications = max(int(10000 * scale), 10)
    now = datetime.now(UTC).replace(microsecond=0)
    members_t = Member.__table__
    events_t = Event.__table__
    sessions_t = AgendaSession.__table__
    registrations_t = Registration.__table__
    publications_t = Publication.__table__
    authors_t = PublicationAuthor.__table__

    engine = sa.create_engine(database_url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _no_sync)
    try:
        with engine.begin() as conn:
            topic_ids = _ids(conn, Topic.__table__)

            # -- members ------------------------------------------------------------------
            members = []
            for i in range(n_members):
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                members.append(
                    {
                        "email": f"bench{i}@bench.example",
                        "name": f"{given} {family} {i}",
                        "password_hash": None,
                        "role": "organizer" if i % 100 == 1 else "member",
                        "is_active": True,
                        "email_verified_at": now - timedelta(days=400),
                        "timezone": "Europe/Vienna",
                        "affiliation": f"{rng.choice(WORDS).capitalize()} Institute",
                        "sector": rng.choice(SECTORS)[0],
                        "country": rng.choice(COUNTRIES),
                        "bio": _title(rng, 20) + ".",
                        "show_in_directory": i % 5 < 2,  # 40 % listed
                        "created_at": now - timedelta(days=rng.randint(0, 700)),
                        "updated_at": now,
                    }
                )
            _insert(conn, members_t, members)
            member_ids = _ids(conn, members_t)
            organizer_ids = [mid for i, mid in enumerate(member_ids) if i % 100 == 1]
            _insert(
                conn,
                member_interests,
                [
                    {"member_id": mid, "topic_id": tid}
                    for mid in member_ids
                    for tid in rng.sample(topic_ids, 2)
                ],
            )

            # -- events, agendas, topics ------------------------------------------------------
            events = []
            for i in range(n_events):
                # Spread over two years: half past, half future.
                starts = now + timedelta(days=rng.randint(-365, 365), hours=rng.randint(0, 10))
                starts = starts.replace(minute=0, second=0)
                events.append(
                    {
                        "slug": f"bench-event-{i}",
                        "title": _title(rng, 5),
                        "summary": _title(rng, 15) + ".",
                        "description": "\n\n".join(_title(rng, 40) + "." for _ in range(3)),
                        "kind": rng.choice(EVENT_KINDS),
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=rng.choice((2, 8, 30))),
                        "timezone": "Europe/Vienna",
                        "format": rng.choice(FORMATS),
                        "venue_name": "Hofburg",
                        "venue_address": "Heldenplatz, 1010 Wien",
                        "capacity": rng.choice((None, 20, 50, 100)),
                        "audience": "all" if i % 4 else "members",
                        "status": "published",
                        "organizer_id": rng.choice(organizer_ids),
                        "sequence": 0,
                        "published_at": starts - timedelta(days=30),
                        "created_at": starts - timedelta(days=40),
                        "updated_at": starts - timedelta(days=30),
                    }
                )
            _insert(conn, events_t, events)
            event_ids = _ids(conn, events_t)
            event_by_id = dict(zip(event_ids, events, strict=True))
            sessions = []
            for eid, event in event_by_id.items():
                length = (event["ends_at"] - event["starts_at"]) / 3
                for s in range(3):
                    sessions.append(
                        {
                            "event_id": eid,
                            "title": _title(rng, 4),
                            "starts_at": event["starts_at"] + s * length,
                            "ends_at": event["starts_at"] + (s + 1) * length,
                            "speakers": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                            "room": f"Room {s + 1}",
                        }
                    )
            _insert(conn, sessions_t, sessions)
            _insert(
                conn,
                event_topics,
                [
                    {"event_id": eid, "topic_id": tid}
                    for eid in event_ids
                    for tid in rng.sample(topic_ids, 2)
                ],
            )

            # -- registrations: distinct members per event; confirmed up to capacity ---------
            per_event = [n_registrations // n_events] * n_events
            for k in range(n_registrations - sum(per_event)):
                per_event[k % n_events] += 1
            registrations = []
            serial = 0
            for eid, count in zip(event_ids, per_event, strict=True):
                capacity = event_by_id[eid]["capacity"]
                created = event_by_id[eid]["published_at"]
                for n, idx in enumerate(rng.sample(range(n_members), min(count, n_members))):
                    serial += 1
                    email = members[idx]["email"]
                    confirmed = capacity is None or n < capacity
                    at = created + timedelta(minutes=n)
                    registrations.append(
                        {
                            "event_id": eid,
                            "member_id": member_ids[idx],
                            "email": email,
                            "active_key": email,
                            "name": members[idx]["name"],
                            "affiliation": members[idx]["affiliation"],
                            "status": "confirmed" if confirmed else "waiting",
                            "token": f"bench{serial:08d}{rng.getrandbits(64):016x}",
                            "created_at": at,
                            "confirmed_at": at if confirmed else None,
                            "waiting_since": None if confirmed else at,
                        }
                    )
            _insert(conn, registrations_t, registrations)

            # -- publications, authors, topics, keywords -------------------------------------
            publications = []
            author_lists = []
            kinds = list(PUBLICATION_KINDS)
            for i in range(n_publications):
                year = 2000 + rng.randint(0, 26)
                published = now - timedelta(days=rng.randint(0, 3000))
                picked = [
                    (rng.randrange(n_members), rng.random() < 0.5) for _ in range(rng.randint(1, 4))
                ]
                author_lists.append(picked)
                publications.append(
                    {
                        "slug": f"bench-publication-{i}",
                        "kind": rng.choice(kinds),
                        "title": _title(rng, 8),
                        "abstract": "\n\n".join(_title(rng, 50) + "." for _ in range(2)),
                        "year": year,
                        "month": rng.randint(1, 12),
                        "day": rng.choice((None, rng.randint(1, 28))),
                        "journal": "Journal of " + _title(rng, 2),
                        "publisher": "Interacta Press",
                        "volume": str(rng.randint(1, 40)),
                        "issue": str(rng.randint(1, 4)),
                        "pages": f"{rng.randint(1, 200)}-{rng.randint(201, 400)}",
                        "doi": f"10.5555/bench.{i}" if i % 2 else None,
                        "language": "en",
                        "keywords": ", ".join(rng.sample(WORDS, 4)),
                        "status": "published",
                        "published_at": published,
                        "created_at": published,
                        "updated_at": published,
                        # What the app keeps for full-text search (publications/search.py).
                        "search_authors": " ".join(members[idx]["name"] for idx, _ in picked),
                    }
                )
            _insert(conn, publications_t, publications)
            publication_ids = _ids(conn, publications_t)
            authors = []
            for pid, picked in zip(publication_ids, author_lists, strict=True):
                for position, (idx, linked) in enumerate(picked):
                    authors.append(
                        {
                            "publication_id": pid,
                            "position": position,
                            "name": members[idx]["name"],
                            "affiliation": members[idx]["affiliation"],
                            "member_id": member_ids[idx] if linked else None,
                        }
                    )
            _insert(conn, authors_t, authors)
            _insert(
                conn,
                publication_topics,
                [
                    {"publication_id": pid, "topic_id": tid}
                    for pid in publication_ids
                    for tid in rng.sample(topic_ids, 2)
                ],
            )

            # A future, open-to-all event with an agenda and a capacity (so its page shows
            # seats, at every scale alike: the query counts compare like with like); a
            # publication with authors.
            future = sorted(
                (e["starts_at"], eid)
                for eid, e in event_by_id.items()
                if e["starts_at"] > now and e["audience"] == "all" and e["capacity"]
            )
            event_id = future[len(future) // 2][1]
            counts = {
                "members": n_members,
                "events": n_events,
                "agenda sessions": len(sessions),
                "registrations": len(registrations),
                "publications": n_publications,
                "authors": len(authors),
            }
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load in production: statistics for the
            # planner and the visibility map that index-only scans need.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            # What the worker's daily db-statistics job does (interacta.core.jobs).
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return {
        "counts": counts,
        "event_slug": event_by_id[event_id]["slug"],
        "publication_slug": publications[len(publications) // 2]["slug"],
        "member_id": member_ids[0],
    }
