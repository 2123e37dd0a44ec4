"""CLI: `flask publications import FILE` (BibTeX or RIS), and the demo seeder."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import AppGroup

from interacta.extensions import db
from interacta.publications.bibimport import Importer, import_bibtex, looks_like_ris, parse_file

logger = logging.getLogger(__name__)

DEMO_BIB = Path(__file__).resolve().parent / "data" / "demo.bib"
DEMO_RIS = Path(__file__).resolve().parent / "data" / "demo.ris"

publications_cli = AppGroup("publications", help="Manage publications.")


@publications_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--status",
    type=click.Choice(["published", "draft"]),
    default="published",
    show_default=True,
    help="Status of the imported records.",
)
def import_command(file: Path, status: str) -> None:
    """Import the entries of a BibTeX or RIS FILE; duplicates and broken entries are
    skipped."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    is_ris = file.suffix.lower() == ".ris" or looks_like_ris(text)
    parsed = parse_file(text, "ris" if is_ris else "bibtex")
    importer = Importer(parsed, status=status)
    with click.progressbar(parsed.entries, label=f"Importing {file.name}") as entries:
        for entry in entries:
            importer.add(entry)
    report = importer.finish()
    db.session.commit()
    for key, why in report.duplicates:
        click.echo(f"skipped duplicate {key}: {why}")
    for item in report.broken:
        where = f" (line {item.line})" if item.line and item.code == "syntax" else ""
        click.echo(f"skipped broken entry {item.key}{where}: {item.why}")
    click.echo(
        f"imported {len(report.imported)}, skipped {len(report.duplicates)} duplicate(s) "
        f"and {len(report.broken)} broken entr{'y' if len(report.broken) == 1 else 'ies'}"
    )


def seed_demo_publications() -> None:
    """Import the shipped demo .bib (published); entries already there are skipped."""
    report = import_bibtex(DEMO_BIB.read_text(encoding="utf-8"))
    if report.broken:
        logger.warning("demo.bib has broken entries: %s", report.broken)


def seed_demo_import() -> None:
    """A finished web import of the shipped demo.ris (one new record, one duplicate of a
    demo.bib record, one broken), so the import page shows a report; once."""
    import sqlalchemy as sa

    from interacta.publications.bibimport import run_import, start_import
    from interacta.publications.models import PublicationImport

    done = db.session.scalar(
        sa.select(PublicationImport.id).where(PublicationImport.filename == DEMO_RIS.name)
    )
    if done:
        return
    imp = start_import(None, DEMO_RIS.name, DEMO_RIS.read_text(encoding="utf-8"), "published")
    db.session.commit()
    run_import(imp.id)
