"""The site's two roles as groups of permissions.

Data migrations create the groups; `ensure_roles` runs after every `migrate` (and `flush`,
which empties the tables) so that the groups always exist with their permissions.
"""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.models import Group, Permission

EDITOR_MODELS = ["series", "article", "contributor", "review", "keyfinding", "question", "topic"]
ROLES = {
    "Editors": [
        ("posts", f"{action}_{model}")
        for model in EDITOR_MODELS
        for action in ("add", "change", "delete", "view")
    ],
    "Moderators": [
        ("comments", "hide_comment"),
        ("comments", "view_hidden_comment"),
        ("comments", "resolve_flag"),
        ("accounts", "suspend_member"),
    ],
}


def ensure_roles(**kwargs) -> None:
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)


def needs_two_factor(user) -> bool:
    """Staff and moderators must have two-factor authentication set up (setting)."""
    if not settings.MFA_REQUIRED_FOR_STAFF or not user.is_authenticated:
        return False
    # Asked several times a request (middleware, views, header): look it up once.
    if not hasattr(user, "_needs_two_factor"):
        privileged = user.is_staff or user.has_perm("comments.view_hidden_comment")
        user._needs_two_factor = privileged and not is_mfa_enabled(user)
    return user._needs_two_factor
