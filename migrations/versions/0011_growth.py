"""growth

Indexes for lists read a page at a time (contributions by support, by status, the needs of
a channel), and the tables of incremental duplicate suggestions: the significant words of
each open need or proposal, and the pairs found when one is written. The suggestions of the
contributions open today are computed here, once.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from concert.services import duplicates

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_posts_territory_supports', 'posts',
                    ['territory_id', 'support_count', 'seq'])
    op.create_index('ix_posts_territory_status_supports', 'posts',
                    ['territory_id', 'status', 'support_count', 'seq'])
    op.create_index('ix_posts_territory_status_seq', 'posts', ['territory_id', 'status', 'seq'])
    op.create_index('ix_posts_channel_kind_seq', 'posts',
                    ['channel_id', 'kind', 'deleted_at', 'seq'])
    op.create_table(
        'post_words',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('word', sa.String(length=64), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('post_id', 'word'),
    )
    op.create_index('ix_post_words_territory_word', 'post_words',
                    ['territory_id', 'word', 'post_id'])
    op.create_table(
        'duplicate_suggestions',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('other_id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['other_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('post_id', 'other_id'),
    )
    op.create_index('ix_duplicate_suggestions_other_id', 'duplicate_suggestions',
                    ['other_id'])
    op.create_index('ix_duplicate_suggestions_territory_score', 'duplicate_suggestions',
                    ['territory_id', 'score'])
    duplicates.index_open(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table('duplicate_suggestions')
    op.drop_table('post_words')
    op.drop_index('ix_posts_channel_kind_seq', 'posts')
    op.drop_index('ix_posts_territory_status_seq', 'posts')
    op.drop_index('ix_posts_territory_status_supports', 'posts')
    op.drop_index('ix_posts_territory_supports', 'posts')
