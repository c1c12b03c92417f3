"""Text from feeds, calendars, servers and X as TEXT, not VARCHAR(n).

SQLite never enforced the lengths; PostgreSQL does, so one feed with a 3,000-character image
URL or ETag stopped a whole poll there. Keys that are indexed keep their length and are
shortened on the way in instead (`schema.bounded_key`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WIDENED = {
    "items": {"feed_url": 2048, "image_url": 2048, "member": 200},
    "occurrences": {"calendar": 200, "uid": 1024, "url": 2048},
    "feed_health": {"etag": 1024, "last_modified": 200},
    "drafts": {
        "member": 200,
        "source_url": 2048,
        "image_url": 2048,
        "item_guid": 2048,
        "post_id": 100,
        "post_url": 2048,
    },
}


def upgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, length in columns.items():
                batch.alter_column(column, existing_type=sa.String(length), type_=sa.Text())


def downgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, length in columns.items():
                batch.alter_column(column, existing_type=sa.Text(), type_=sa.String(length))
