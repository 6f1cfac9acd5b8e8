"""import jobs

The SSMSI imports that run in the background, with their progress (diagnostic page, API's
asynchronous answer).

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'diagnostic_import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('bytes_read', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('kept', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['diagnostic_imports.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_diagnostic_import_jobs_territory_id', 'diagnostic_import_jobs',
                    ['territory_id'])


def downgrade() -> None:
    op.drop_table('diagnostic_import_jobs')
