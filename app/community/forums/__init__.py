"""Forums: categories, topics, posts, revisions, likes, follows, read state and views."""
