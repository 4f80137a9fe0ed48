"""Report pages (filled in below)."""
