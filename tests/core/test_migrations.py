"""The schema changes only through Alembic, and the migrations match the models."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from interacta.core.models import Topic
from interacta.extensions import db as _db


def test_migrations_have_exactly_one_head(app):
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}"


def test_models_and_migrations_do_not_drift(db):
    # The test database was built by running the migrations; compare it with the models,
    # leaving out what `flask db migrate` leaves out (the blueprints' schema filters).
    include_name = current_app.extensions["migrate"].configure_args["include_name"]
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
    )
    with warnings.catch_warnings():
        # SQLite's reflection skips expression indexes (ix_publications_feed_order), which
        # the models leave to the migrations anyway (publications.search.ORDER_INDEXES).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models and migrations differ; add a revision: {diff}"


def test_data_migration_seeds_the_networks_areas_of_focus(db):
    names = list(db.session.scalars(_db.select(Topic.name).order_by(Topic.position)))
    assert len(names) == 12
    assert names[0] == "Protection of civilians"
    assert "Rule of law" in names
    assert "Disaster management and humanitarian assistance" in names
