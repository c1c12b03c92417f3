"""Threads (the posts after the first, and those already out) and the publisher's open problems.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("follow_ups", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column("thread_post_ids", sa.Text(), nullable=False, server_default="[]")
        )
    op.create_table(
        "publisher_problems",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("publisher_problems")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("thread_post_ids")
        batch.drop_column("follow_ups")
