"""Moderation: trust levels, flags, the review queue, rules, sanctions and the audit log."""
