"""Engagement: the append-only log of what each member (or consenting visitor) did, in the
community and in the brand's other channels, and the profile rollups kept from it."""
