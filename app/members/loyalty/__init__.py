"""Loyalty: earning rules, the append-only points ledger, tiers on rolling 12-month points,
perks, and the member's /loyalty page."""
