"""Moderation: the audit log today; trust levels, flags, review queue and sanctions next."""
