"""prompt version drafts: an edit is saved as a draft and activated separately

Revision ID: a9fc09bbfd15
Revises: 74a446265216
Create Date: 2026-12-05 13:06:55.321150
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9fc09bbfd15"
down_revision: str | Sequence[str] | None = "74a446265216"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("promptversion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_draft", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("promptversion", schema=None) as batch_op:
        batch_op.drop_column("is_draft")
