"""mail2

E-mail change links (single use, one hour, only the token's hash kept), and each
workshop's calendar SEQUENCE (RFC 5545: raised at every change mailed, so calendars
update the same event).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'email_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('new_email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_email_changes_user_id', 'email_changes', ['user_id'])
    op.add_column('workshops', sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                         server_default='0'))


def downgrade() -> None:
    op.drop_column('workshops', 'calendar_sequence')  # SQLite: ALTER TABLE DROP COLUMN (3.35+)
    op.drop_table('email_changes')
