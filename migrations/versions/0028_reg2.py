"""reg2: mail written inside the seat lock and rendered after its commit

`outbox_messages.render_args`: what a message is rendered from (which renderer, the
registration and what was decided for it). A row written while the seat lock is held has
status "render" and no text yet; the request renders it right after the commit that
releases the lock, and the delivery worker renders any it left (a crash in between).

Revision ID: 0028_reg2
Revises: 0027_scale
Create Date: 2026-11-26 20:15:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0028_reg2"
down_revision = "0027_scale"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_messages", sa.Column("render_args", sa.JSON(), nullable=True))


def downgrade():
    # A message never rendered has no text to keep: it goes with the column.
    op.execute("DELETE FROM outbox_messages WHERE status = 'render'")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("render_args")
