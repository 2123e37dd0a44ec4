"""`flask publications import FILE.bib`, the demo seeder, and authorship as personal data."""

from __future__ import annotations

import sqlalchemy as sa
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from interacta.core.registry import erase_member_data, export_member_data
from interacta.publications import bibimport, services
from interacta.publications.models import Publication

BIB = r"""
@article{first,
  title = {Floods and Forces},
  author = {Lindqvist, Maja and van den Berg, Anneke},
  journal = {Journal of Civil-Military Studies},
  year = {2025}, month = mar, volume = {14}, number = {2}, pages = {10--27},
  doi = {10.5555/FLOODS.2025},
  keywords = {floods; coordination},
  topics = {disaster-management},
  abstract = {A study of \emph{flood} response \& coordination.}
}

@techreport{wp,
  title = {Floods and Forces: Early Findings},
  author = {Maja Lindqvist},
  institution = {Interacta Global}, type = {Working Paper},
  year = {2024},
  versionof = {first}
}

@article{same-doi,
  title = {A Different Title, Same DOI},
  author = {Someone, Else}, year = {2025},
  doi = {https://doi.org/10.5555/floods.2025}
}

@article{same-title,
  title = {floods and  forces: early findings},
  author = {Lindqvist, Maja}, year = {2024}
}

@article{no-year,
  title = {Missing a Year},
  author = {Doe, Jane}
}

@article{broken, title = {Unclosed, year = 2020

@inproceedings{last,
  title = {Liaison Officers as Translators},
  author = {Brennan, Fiona},
  booktitle = {Proceedings of the Symposium}, year = {2023}
}

@article{first,
  title = {Repeated key}, author = {A, B}, year = {2020}
}
"""


def titles(db) -> list[str]:
    return list(db.session.scalars(sa.select(Publication.title).order_by(Publication.title)))


def test_import_skips_and_reports_duplicates_and_broken_entries_without_stopping(
    runner, db, tmp_path, make_publication
):
    make_publication(title="Liaison Officers as Translators", year=2023)
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    result = runner.invoke(args=["publications", "import", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Importing refs.bib" in out
    assert "skipped duplicate same-doi: DOI 10.5555/floods.2025 is already there" in out
    assert "skipped duplicate same-title" in out
    assert "skipped duplicate last" in out
    assert "skipped duplicate first: the same key appears earlier in the file" in out
    assert "skipped broken entry no-year: no usable year (missing)" in out
    assert "skipped broken entry @article{broken" in out
    assert "imported 2, skipped 4 duplicate(s) and 2 broken entries" in out
    assert titles(db) == [
        "Floods and Forces",
        "Floods and Forces: Early Findings",
        "Liaison Officers as Translators",
    ]


def test_imported_record_has_authors_dates_doi_keywords_topics_and_version_link(
    runner, db, tmp_path
):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    runner.invoke(args=["publications", "import", str(path)])
    pub = db.session.scalar(sa.select(Publication).where(Publication.title == "Floods and Forces"))
    assert pub.status == "published"
    assert pub.kind == "journal_article"
    assert [a.name for a in pub.authors] == ["Maja Lindqvist", "Anneke van den Berg"]
    assert (pub.year, pub.month, pub.volume, pub.issue, pub.pages) == (2025, 3, "14", "2", "10-27")
    assert pub.doi == "10.5555/floods.2025"
    assert pub.keyword_list == ["floods", "coordination"]
    assert [t.slug for t in pub.topics] == ["disaster-management"]
    assert "coordination" in pub.abstract and "&" in pub.abstract
    wp = db.session.scalar(sa.select(Publication).where(Publication.title.like("%Early%")))
    assert wp.kind == "working_paper"
    assert wp.publisher == "Interacta Global"
    assert wp.version_of_id == pub.id


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["\\emph{", "{", "}", "--", "---", "''", "``", "!`", "?`", "~", "$x$"])
        | st.sampled_from("\\{}%&~$`'-!?#^_ \n")
        | st.characters(codec="utf-8"),
        max_size=20,
    ).map("".join)
)
def test_imported_values_read_as_bibtexparsers_latex_decoding_reads_them(value):
    """The import skips the decoder for values without LaTeX markup (a large file of plain
    entries parses many times faster): every value still reads as the decoder reads it."""
    ours = bibimport.LatexDecoding()._transform_python_value_string(value)
    assert ours == LatexDecodingMiddleware()._transform_python_value_string(value)


def test_import_as_drafts(runner, db, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    runner.invoke(args=["publications", "import", str(path), "--status", "draft"])
    statuses = set(db.session.scalars(sa.select(Publication.status)))
    assert statuses == {"draft"}


def test_import_of_a_missing_file_fails_clearly(runner, db):
    result = runner.invoke(args=["publications", "import", "/no/such/file.bib"])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_demo_seeder_imports_the_shipped_bib_once(runner, db):
    runner.invoke(args=["seed-demo"])
    count = db.session.scalar(sa.select(sa.func.count(Publication.id)))
    assert 20 <= count <= 30
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == count
    linked = db.session.scalar(
        sa.select(sa.func.count(Publication.id)).where(Publication.version_of_id.is_not(None))
    )
    assert linked >= 1


def test_publications_by_member_lists_published_authorships(db, make_member, make_publication):
    member = make_member(email="maja@example.org")
    ref = services.AuthorInput("Maja Lindqvist", None, "maja@example.org")
    make_publication(title="Hers", authors=[ref])
    make_publication(title="Her draft", authors=[ref], status="draft")
    make_publication(title="Not hers")
    assert [p.title for p in services.publications_by_member(member.id)] == ["Hers"]


def test_authorship_is_exported_and_unlinked_on_erasure(db, make_member, make_publication):
    member = make_member(email="maja@example.org")
    pub = make_publication(
        title="Hers", authors=[services.AuthorInput("Maja Lindqvist", "Uni", "maja@example.org")]
    )
    exported = export_member_data(member)["publications"]
    assert exported == [
        {
            "publication": "Hers",
            "slug": pub.slug,
            "status": "published",
            "author_name": "Maja Lindqvist",
            "affiliation": "Uni",
            "orcid": None,
            "position": 1,
        }
    ]
    erase_member_data(member)
    db.session.refresh(pub.authors[0])
    assert pub.authors[0].member_id is None
    assert pub.authors[0].name == "Maja Lindqvist"
