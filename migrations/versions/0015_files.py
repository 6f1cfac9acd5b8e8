"""files

Documents attached to posts, commitments and workshops: addressed by a random token, their
bytes kept in the file store (instance folder), their text kept for search.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'files',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('has_thumbnail', sa.Boolean(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('commitment_id', sa.Integer(), nullable=True),
        sa.Column('workshop_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attached_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN commitment_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN workshop_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name='ck_file_attached_once'),
        sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_files_territory_id', 'files', ['territory_id'])
    op.create_index('ix_files_post_id', 'files', ['post_id'])
    op.create_index('ix_files_commitment_id', 'files', ['commitment_id'])
    op.create_index('ix_files_workshop_id', 'files', ['workshop_id'])
    op.create_index('ix_files_unattached', 'files', ['attached_at', 'created_at'])


def downgrade() -> None:
    op.drop_table('files')
