"""/publications/manage/import: a BibTeX or RIS file imported by a background job (run
inline in tests, JOBS_IMMEDIATE), its progress as JSON, and the report."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from interacta.publications import bibimport
from interacta.publications.models import Publication, PublicationImport
from tests.publications.test_import import BIB

RIS = """TY  - JOUR
ID  - ris-one
TI  - Civil-Military Liaison in Practice
AU  - Novak, Nadia
AU  - Brennan, Fiona
PY  - 2023/05/02/
JO  - Journal of Civil-Military Studies
VL  - 12
IS  - 3
SP  - 101
EP  - 120
DO  - 10.5555/liaison.2023
KW  - liaison
KW  - coordination
AB  - An abstract that goes on
  over two lines.
ER  -

TY  - RPRT
TI  - A Report Without Authors
PY  - 2022
ER  -

this line is not RIS

TY  - JOUR
TI  - Duplicate By DOI
AU  - Else, Someone
PY  - 2024
DO  - https://doi.org/10.5555/LIAISON.2023
ER  -

TY  - UNPB
TI  - A Working Paper
AU  - Novak, Nadia
PY  - 2024
ER  -

TY  - JOUR
TI  - Never ended
"""


def upload(client, text: str, name: str = "library.bib", status: str = "published"):
    return client.post(
        "/publications/manage/import",
        data={"file": (io.BytesIO(text.encode()), name), "status": status},
        content_type="multipart/form-data",
    )


def last_import(db) -> PublicationImport:
    return db.session.scalar(sa.select(PublicationImport).order_by(PublicationImport.id.desc()))


def test_the_import_page_shows_the_form(client, organizer):
    response = client.get("/publications/manage/import")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_bibtex_import_reports_imported_duplicates_and_broken_entries(
    client, db, organizer, make_publication
):
    existing = make_publication(title="Already Here", year=2021)
    db.session.commit()
    bib = BIB + "\n@article{again, title = {Already here}, author = {X, Y}, year = {2021}}\n"
    response = upload(client, bib)
    assert response.status_code == 302
    imp = last_import(db)
    assert response.headers["Location"].endswith(f"/publications/manage/import/{imp.id}")
    assert imp.status == "done"
    assert imp.member_id == organizer.id
    assert imp.file_format == "bibtex"
    assert imp.source == ""
    assert (imp.done, imp.total) == (7, 7)
    report = imp.report
    assert [i["key"] for i in report["imported"]] == ["first", "wp", "last"]
    duplicates = {i["key"]: i for i in report["duplicates"]}
    assert duplicates["same-doi"]["code"] == "doi"
    first_slug = report["imported"][0]["slug"]
    assert duplicates["same-doi"]["slug"] == first_slug
    assert duplicates["same-title"]["code"] == "title"
    assert duplicates["again"]["slug"] == existing.slug
    assert duplicates["first"]["code"] == "repeated_key"
    broken = {i["key"]: i for i in report["broken"]}
    assert broken["no-year"]["code"] == "no_year"
    assert broken["no-year"]["line"] == BIB.splitlines().index("@article{no-year,") + 1
    [syntax] = [i for i in report["broken"] if i["code"] == "syntax"]
    assert (
        syntax["line"]
        == BIB.splitlines().index("@article{broken, title = {Unclosed, year = 2020") + 1
    )

    html = client.get(f"/publications/manage/import/{imp.id}").get_data(as_text=True)
    assert "Finished: 3 imported" in html
    assert f'href="/publications/{existing.slug}"' in html
    assert f'href="/publications/{first_slug}"' in html
    assert "No usable year (missing)." not in html  # an empty year reads "No year."
    assert "No year." in html
    assert f"line {syntax['line']}" in html
    assert "Not valid BibTeX." in html
    assert "The same key appears earlier in the file." in html
    assert "http-equiv" not in html  # finished: no more refreshing
    assert "publications-import.js" not in html


def test_a_ris_import_reads_records_and_reports_lines(client, db, organizer):
    response = upload(client, RIS, name="export.ris", status="draft")
    assert response.status_code == 302
    imp = last_import(db)
    assert imp.file_format == "ris"
    report = imp.report
    assert [i["key"] for i in report["imported"]] == ["ris-one", "A Working Paper"]
    pub = db.session.scalar(sa.select(Publication).where(Publication.doi == "10.5555/liaison.2023"))
    assert pub.status == "draft"
    assert [a.name for a in pub.authors] == ["Nadia Novak", "Fiona Brennan"]
    assert (pub.year, pub.month, pub.day) == (2023, 5, 2)
    assert (pub.volume, pub.issue, pub.pages) == ("12", "3", "101-120")
    assert pub.keywords == "liaison, coordination"
    assert pub.abstract == "An abstract that goes on over two lines."
    assert (
        db.session.scalar(sa.select(Publication.kind).where(Publication.title == "A Working Paper"))
        == "working_paper"
    )
    assert [(i["code"], i["slug"]) for i in report["duplicates"]] == [("doi", pub.slug)]
    broken = sorted((i["code"], i["line"]) for i in report["broken"])
    lines = RIS.splitlines()
    assert broken == sorted(
        [
            ("no_author", lines.index("TI  - A Report Without Authors")),
            ("syntax", lines.index("this line is not RIS") + 1),
            ("syntax", len(lines) - 1),
        ]
    )


def test_the_progress_endpoint_says_how_far_the_job_is(client, db, organizer):
    imp = bibimport.start_import(organizer.id, "x.bib", BIB, "published")
    db.session.commit()
    response = client.get(f"/publications/manage/import/{imp.id}/progress")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.data) == {
        "status": "queued",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
    }
    page = client.get(f"/publications/manage/import/{imp.id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "js/publications-import.js" in page
    assert 'data-progress-url="/publications/manage/import/' in page
    imp.status, imp.total, imp.done = "running", 200, 50
    db.session.commit()
    data = client.get(f"/publications/manage/import/{imp.id}/progress").get_json()
    assert (data["done"], data["total"], data["percent"], data["finished"]) == (50, 200, 25, False)
    assert "50 of 200 entries done" in client.get(f"/publications/manage/import/{imp.id}").get_data(
        as_text=True
    )
    imp.status = "queued"
    db.session.commit()
    bibimport.run_import(imp.id)
    data = client.get(f"/publications/manage/import/{imp.id}/progress").get_json()
    assert (data["status"], data["finished"], data["percent"]) == ("done", True, 100)


def test_a_job_runs_once(db, organizer):
    imp = bibimport.start_import(organizer.id, "x.bib", BIB, "published")
    db.session.commit()
    bibimport.run_import(imp.id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Publication))
    assert bibimport.run_import(imp.id) == "nothing to do"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == count


def test_an_entry_that_fails_to_save_leaves_nothing_behind(db, organizer, monkeypatch):
    from interacta.publications import services

    real = services.publish

    def failing_publish(pub):
        real(pub)
        if pub.title == "Liaison Officers as Translators":
            raise services.PublicationError("disk on fire")

    monkeypatch.setattr(services, "publish", failing_publish)
    imp = bibimport.start_import(organizer.id, "x.bib", BIB, "published")
    db.session.commit()
    bibimport.run_import(imp.id)
    db.session.refresh(imp)
    assert {"key": "last", "code": "not_saved", "detail": "disk on fire"}.items() <= next(
        i for i in imp.report["broken"] if i["key"] == "last"
    ).items()
    assert (
        db.session.scalar(
            sa.select(Publication).where(Publication.title == "Liaison Officers as Translators")
        )
        is None
    )


@pytest.mark.parametrize("content, message", [(b"\xff\xfe\x00bad", "UTF-8")])
def test_a_file_that_is_not_utf8_is_refused_beside_the_field(client, organizer, content, message):
    response = client.post(
        "/publications/manage/import",
        data={"file": (io.BytesIO(content), "x.bib"), "status": "published"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_without_a_file_the_form_says_so(client, organizer):
    response = client.post("/publications/manage/import", data={"status": "published"})
    assert response.status_code == 400
    assert "Choose a .bib or .ris file." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, words", [("fr", "Importer"), ("de", "Importieren"), ("sl", "Uvozi")]
)
def test_the_import_pages_are_translated(client, db, organizer, lang, words):
    imp = bibimport.start_import(organizer.id, "x.bib", BIB, "published")
    db.session.commit()
    bibimport.run_import(imp.id)
    html = client.get(f"/{lang}/publications/manage/import").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert words in html
    report = client.get(f"/{lang}/publications/manage/import/{imp.id}").get_data(as_text=True)
    assert "Finished" not in report
    assert "line " not in report


def test_five_thousand_entries_import(db, organizer):
    entries = "\n".join(
        f"@article{{e{n}, title = {{Entry number {n}}}, author = {{Author, A{n}}},"
        f" year = {{2020}}, doi = {{10.5555/bulk.{n}}}}}"
        for n in range(5000)
    )
    imp = bibimport.start_import(organizer.id, "bulk.bib", entries, "draft")
    db.session.commit()
    bibimport.run_import(imp.id)
    db.session.refresh(imp)
    assert (imp.status, imp.done, imp.total) == ("done", 5000, 5000)
    assert len(imp.report["imported"]) == 5000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == 5000


def test_the_demo_shows_a_finished_ris_import_once(runner, db):
    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["seed-demo"])
    [imp] = db.session.scalars(
        sa.select(PublicationImport).where(PublicationImport.filename == "demo.ris")
    ).all()
    assert imp.status == "done"
    assert [i["key"] for i in imp.report["imported"]] == ["demo-ris-liaison"]
    assert [(i["key"], i["code"]) for i in imp.report["duplicates"]] == [
        ("demo-ris-duplicate", "doi")
    ]
    assert [(i["key"], i["code"]) for i in imp.report["broken"]] == [("demo-ris-broken", "no_year")]
