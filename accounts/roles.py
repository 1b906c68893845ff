"""The site's two roles as groups of permissions.

Data migrations create the groups; `ensure_roles` runs after every `migrate` (and `flush`,
which empties the tables) so that the groups always exist with their permissions.
"""

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
