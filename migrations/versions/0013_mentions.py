"""mentions

Whom each post's current text mentions: a member or an organisation of the territory
(services/mentions), for the links in its HTML and the notifications it sends.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'post_mentions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=True),
        sa.CheckConstraint('(user_id IS NULL) <> (organisation IS NULL)',
                           name='ck_post_mention_target'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_post_mentions_post_id', 'post_mentions', ['post_id'])
    op.create_index('ix_post_mentions_user_id', 'post_mentions', ['user_id'])


def downgrade() -> None:
    op.drop_table('post_mentions')
