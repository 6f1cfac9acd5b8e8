"""live_workshops

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('invited', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_item', sa.Integer(), nullable=True),
    sa.Column('item_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'live', 'closed')", name='ck_workshop_status'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name='fk_workshops_created_by_id', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name='fk_workshops_territory_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_territory_id'), ['territory_id'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name='fk_agenda_items_channel_id', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name='fk_agenda_items_workshop_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workshop_id', 'position', name='uq_agenda_item_position')
    )
    op.create_table('workshop_attendance',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('organisation_kind', sa.String(length=32), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_workshop_attendance_user_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name='fk_workshop_attendance_workshop_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'user_id')
    )
    op.create_table('workshop_presence',
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name='fk_workshop_presence_territory_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_workshop_presence_user_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name='fk_workshop_presence_workshop_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sid', 'workshop_id')
    )
    op.create_table('workshop_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=False),
    sa.Column('post_ids', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name='ck_workshop_vote_status'),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name='fk_workshop_votes_agenda_item_id', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name='fk_workshop_votes_workshop_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_votes_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('workshop_dots',
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name='fk_workshop_dots_post_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_workshop_dots_user_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vote_id'], ['workshop_votes.id'], name='fk_workshop_dots_vote_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vote_id', 'user_id', 'slot')
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workshop_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_posts_workshop_id'), ['workshop_id'], unique=False)
        batch_op.create_foreign_key('fk_posts_workshop_id', 'workshops', ['workshop_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_posts_agenda_item_id', 'agenda_items', ['agenda_item_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_posts_agenda_item_id', type_='foreignkey')
        batch_op.drop_constraint('fk_posts_workshop_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_posts_workshop_id'))
        batch_op.drop_column('agenda_item_id')
        batch_op.drop_column('workshop_id')

    op.drop_table('workshop_dots')
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_votes_workshop_id'))

    op.drop_table('workshop_votes')
    op.drop_table('workshop_presence')
    op.drop_table('workshop_attendance')
    op.drop_table('agenda_items')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_territory_id'))

    op.drop_table('workshops')
