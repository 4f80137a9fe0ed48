"""Shared plumbing: database transactions, the event bus, Markdown and sanitising,
security headers, pagination, time. No business rules live here."""
