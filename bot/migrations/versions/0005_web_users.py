"""The web page's accounts, its generated session key, and the queue page's indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False, server_default="ca"),
        sa.Column("failed_signins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "web_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ix_drafts_status_created_at", "drafts", ["status", "created_at"])
    op.create_index("ix_drafts_member_status_created", "drafts", ["member", "status", "created_at"])
    op.create_index("ix_drafts_kind_status_created", "drafts", ["kind", "status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_kind_status_created", table_name="drafts")
    op.drop_index("ix_drafts_member_status_created", table_name="drafts")
    op.drop_index("ix_drafts_status_created_at", table_name="drafts")
    op.drop_table("web_secrets")
    op.drop_table("users")
