"""workshop_cancel

A planned workshop can be cancelled: a fourth status, and when and why.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('workshops', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('workshops', sa.Column('cancel_reason', sa.Text(), nullable=True))
    _status_check(('planned', 'live', 'closed', 'cancelled'))


def downgrade() -> None:
    # Without the status, a cancelled workshop is kept as a past one, closed when cancelled
    # (it never started: it has no contributions, votes or attendance).
    op.execute("UPDATE workshops SET status = 'closed', closed_at = cancelled_at "
               "WHERE status = 'cancelled'")
    _status_check(('planned', 'live', 'closed'))
    op.drop_column('workshops', 'cancel_reason')  # SQLite: ALTER TABLE DROP COLUMN (3.35+)
    op.drop_column('workshops', 'cancelled_at')


def _status_check(statuses: tuple[str, ...]) -> None:
    # On SQLite, batch mode copies the table; foreign keys are off meanwhile (migrate.py),
    # so the agenda items, votes and attendance that point to it stay.
    with op.batch_alter_table('workshops') as batch_op:
        batch_op.drop_constraint('ck_workshop_status', type_='check')
        batch_op.create_check_constraint(
            'ck_workshop_status', f"status IN ({', '.join(repr(s) for s in statuses)})")
