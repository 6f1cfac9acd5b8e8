"""notifications

A notification per person (in-app bell, mail at once or in a digest), the preferences by
category, and the digests sent (one per person and period).

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('data', JSON, nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('mail_pending', sa.Boolean(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notifications_user_read', 'notifications',
                    ['user_id', 'read_at', 'id'])
    op.create_index('ix_notifications_mail_pending', 'notifications', ['mail_pending'])
    op.create_index('ix_notifications_territory_id', 'notifications', ['territory_id'])
    op.create_index('ix_notifications_post_id', 'notifications', ['post_id'])
    op.create_index('ix_notifications_created_at', 'notifications', ['created_at'])
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('frequency', sa.String(length=10), nullable=False),
        sa.CheckConstraint("frequency IN ('immediate', 'daily', 'weekly', 'never')",
                           name='ck_notification_frequency'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'category'),
    )
    op.create_table(
        'notification_digests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'period', 'key', name='uq_digest_period'),
    )
    op.create_index('ix_notification_digests_user_id', 'notification_digests', ['user_id'])


def downgrade() -> None:
    op.drop_table('notification_digests')
    op.drop_table('notification_preferences')
    op.drop_table('notifications')
