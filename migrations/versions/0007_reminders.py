"""Reminders by e-mail: the visitors' subscriptions to a session and the outbox of their mails

Not public data: these tables are left out of the data-version triggers (0005).

Revision ID: 0007_reminders
Revises: 0006_editions
"""
import sqlalchemy as sa
from alembic import op


revision = "0007_reminders"
down_revision = "0006_editions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("confirm_hash", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("announced", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_reminder_subscriptions_event_id_events"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_subscriptions")),
        sa.UniqueConstraint("confirm_hash", name=op.f("uq_reminder_subscriptions_confirm_hash")),
        sa.UniqueConstraint("event_id", "email", name=op.f("uq_reminder_subscriptions_event_id")),
    )
    op.create_index(op.f("ix_reminder_subscriptions_event_id"), "reminder_subscriptions", ["event_id"])
    op.create_table(
        "reminder_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("dropped_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["reminder_subscriptions.id"],
                                name=op.f("fk_reminder_messages_subscription_id_reminder_subscriptions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_messages")),
        sa.UniqueConstraint("subscription_id", "kind", "key", name=op.f("uq_reminder_messages_subscription_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reminder_messages_token_hash")),
    )
    op.create_index(op.f("ix_reminder_messages_subscription_id"), "reminder_messages", ["subscription_id"])
    op.create_index("ix_reminder_messages_pending", "reminder_messages", ["sent_at", "dropped_at", "due_at"])


def downgrade():
    op.drop_index("ix_reminder_messages_pending", table_name="reminder_messages")
    op.drop_index(op.f("ix_reminder_messages_subscription_id"), table_name="reminder_messages")
    op.drop_table("reminder_messages")
    op.drop_index(op.f("ix_reminder_subscriptions_event_id"), table_name="reminder_subscriptions")
    op.drop_table("reminder_subscriptions")
