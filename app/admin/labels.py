"""Labels the admin pages share."""

from __future__ import annotations

from flask_babel import gettext as _


def role_labels() -> dict[str, str]:
    return {
        "member": _("Member"),
        "moderator": _("Community manager"),
        "product": _("Product team"),
        "admin": _("Administrator"),
    }
