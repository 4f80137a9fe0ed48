"""Forum rules: the only code that changes categories, topics, posts, likes and follows.

One module per subject — `topics` (start, pin, lock), `posts` (reply, edit, delete,
restore), `reactions` (likes, reactions, follows), `solutions` (Q&A), `bookmarks`,
`structure` (move, merge, split, undo), `categories` (administration) — over the shared
helpers of `base`. Every service authorises and validates inside its unit of work before
it writes anything, keeps the stored counters in the same transaction, and emits its
events, dispatched after commit.
The names below are the package's public face: callers write `services.reply(...)`
without knowing which module holds it.
"""

from __future__ import annotations

from app.community.forums.services.base import (
    BODY_MAX,
    BODY_MIN,
    DUPLICATE_WINDOW,
    LOCK_REASON_MAX,
    TITLE_MAX,
    TITLE_MIN,
    DuplicateSubmission,
    slugify,
)
from app.community.forums.services.bookmarks import set_bookmark
from app.community.forums.services.categories import save_category
from app.community.forums.services.posts import (
    delete_post,
    edit_post,
    may_delete,
    may_edit,
    may_edit_post_of,
    reply,
    restore_post,
)
from app.community.forums.services.reactions import (
    reaction_set,
    set_follow,
    set_like,
    set_reaction,
)
from app.community.forums.services.reading import dismiss_new, dismiss_unread
from app.community.forums.services.solutions import (
    mark_solution,
    may_mark_solution,
    may_solve,
    unmark_solution,
)
from app.community.forums.services.structure import (
    merge_topics,
    move_topic,
    split_posts,
    undo_change,
)
from app.community.forums.services.topics import (
    create_topic,
    lock_message,
    set_locked,
    set_pinned,
)

__all__ = [
    "BODY_MAX",
    "BODY_MIN",
    "DUPLICATE_WINDOW",
    "LOCK_REASON_MAX",
    "TITLE_MAX",
    "TITLE_MIN",
    "DuplicateSubmission",
    "create_topic",
    "delete_post",
    "dismiss_new",
    "dismiss_unread",
    "edit_post",
    "lock_message",
    "mark_solution",
    "may_delete",
    "may_edit",
    "may_edit_post_of",
    "may_mark_solution",
    "may_solve",
    "merge_topics",
    "move_topic",
    "reaction_set",
    "reply",
    "restore_post",
    "save_category",
    "set_bookmark",
    "set_follow",
    "set_like",
    "set_locked",
    "set_pinned",
    "set_reaction",
    "slugify",
    "split_posts",
    "undo_change",
    "unmark_solution",
]
