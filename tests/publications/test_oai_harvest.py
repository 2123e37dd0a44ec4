"""A real harvester (Sickle, from PyPI) against a live server on 127.0.0.1: a few hundred
records of the bench dataset come through with no loss, a withdrawn one is reported
deleted, and a resumption token taken before an edit is still good after it."""

from __future__ import annotations

import threading

import flask_migrate
import pytest
import sqlalchemy as sa
from sickle import Sickle
from werkzeug.serving import make_server

from bench.dataset import build
from config import TestConfig
from interacta import create_app
from interacta.extensions import db as _db
from interacta.publications import services
from interacta.publications.models import Publication

RECORDS = 300  # the bench dataset at scale 0.03


@pytest.fixture(scope="module")
def harvested_site(tmp_path_factory):
    path = tmp_path_factory.mktemp("oai-live")
    url = f"sqlite:///{path / 'live.db'}"
    app = create_app(
        TestConfig,
        instance_path=str(path),
        SQLALCHEMY_DATABASE_URI=url,
        SERVER_BASE_URL="http://127.0.0.1",
    )
    with app.app_context():
        flask_migrate.upgrade()
        _db.session.remove()
    build(url, scale=RECORDS / 10_000)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_BASE_URL"] = base
    try:
        yield app, f"{base}/oai"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            _db.engine.dispose()


def _ids(app) -> list[int]:
    with app.app_context():
        ids = list(_db.session.scalars(sa.select(Publication.id).order_by(Publication.id)))
        _db.session.remove()
    return ids


def _edit(app, pub_id: int, **values) -> None:
    with app.app_context():
        pub = _db.session.get(Publication, pub_id)
        if values.pop("withdraw", False):
            services.withdraw(pub)
        for name, value in values.items():
            setattr(pub, name, value)
        _db.session.commit()
        _db.session.remove()


def test_a_harvester_gets_every_record_and_the_withdrawn_one_as_deleted(harvested_site):
    app, endpoint = harvested_site
    ids = _ids(app)
    assert len(ids) == RECORDS
    _edit(app, ids[10], withdraw=True)
    sickle = Sickle(endpoint, http_method="POST", max_retries=3)
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    assert len(records) == RECORDS
    identifiers = [r.header.identifier for r in records]
    assert len(set(identifiers)) == RECORDS
    deleted = [r.header.identifier for r in records if r.header.deleted]
    assert deleted == [f"oai:127.0.0.1:publication/{ids[10]}"]
    live = [r for r in records if not r.header.deleted]
    assert all(r.metadata.get("title") for r in live)
    # The DataCite format too, over GET this time.
    datacite = list(Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_datacite"))
    assert len(datacite) == RECORDS


def test_a_token_from_before_an_edit_is_still_good_after_it(harvested_site):
    app, endpoint = harvested_site
    ids = _ids(app)
    headers = Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc")
    seen = [next(headers).identifier for _ in range(100)]  # the first page
    assert headers.resumption_token.token  # what the harvester holds for page 2
    # Edits on the pages still to come, and a new record, before the harvester resumes.
    _edit(app, ids[150], title="Edited while being harvested")
    _edit(app, ids[250], abstract="Revised while being harvested.")
    new_id = _add(app)
    seen += [header.identifier for header in headers]
    assert len(seen) == len(set(seen)) == RECORDS
    assert seen == [f"oai:127.0.0.1:publication/{i}" for i in ids]
    # The next incremental harvest (from the start of this one) brings the changes and
    # the new record.
    since = headers.oai_response.xml.findtext("{http://www.openarchives.org/OAI/2.0/}responseDate")
    changed = [
        h.identifier
        for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", **{"from": since[:10]})
    ]
    for pub_id in (ids[150], ids[250], new_id):
        assert f"oai:127.0.0.1:publication/{pub_id}" in changed


def _add(app) -> int:
    with app.app_context():
        pub = services.save_publication(
            None,
            services.PublicationInput(
                kind="report",
                title="Added during a harvest",
                abstract="",
                year=2026,
                language="en",
                authors=[services.AuthorInput("Ana Costa")],
                topic_ids=[],
            ),
        )
        services.publish(pub)
        _db.session.commit()
        pub_id = pub.id
        _db.session.remove()
    return pub_id
