"""Notifications: the email outbox (in-app notifications and digests come later)."""
