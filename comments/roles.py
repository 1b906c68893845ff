"""The role badge beside a comment's author: who speaks for the review (its guest reviewer)
or for the site (an editor, a moderator), so readers can tell them from other members.

A card shows its badge, so a change of role must change the cards' keys in the cache: the
reviewer's account is set on the review's Contributor, whose saves renew the site's content
version (posts/apps.py), and group memberships renew it too (`bump_on_group_changes`).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

from journalclub.page_cache import bump_content_version
from posts.models import Review

GUEST_REVIEWER = _("Guest reviewer")
EDITOR = _("Editor")
MODERATOR = _("Moderator")
# The groups whose members carry a badge; one badge each, the guest reviewer's first, then
# in this (alphabetical) order.
GROUP_BADGES = {"Editors": EDITOR, "Moderators": MODERATOR}


def author_group() -> Subquery:
    """A comment's author's first group among GROUP_BADGES, as an annotation (`author_group`):
    it comes with the comments' own query, however many a page shows."""
    memberships = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("author_id"), group__name__in=GROUP_BADGES
    )
    return Subquery(memberships.order_by("group__name").values("group__name")[:1])


def badge_of(comment, review: Review) -> str:
    """The badge beside `comment`'s author on `review` ("" for none). Reads
    `review.reviewer` (select it with the review) and the `author_group` annotation."""
    if comment.author_id is not None and comment.author_id == review.reviewer.user_id:
        return GUEST_REVIEWER
    return GROUP_BADGES.get(getattr(comment, "author_group", None) or "", "")


def _groups_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_content_version()


def _group_saved_or_deleted(sender, **kwargs) -> None:
    # A group renamed or deleted (its memberships go with it, without m2m_changed).
    bump_content_version()


def bump_on_group_changes() -> None:
    """Connected once the apps are ready (comments/apps.py)."""
    through = get_user_model().groups.through
    m2m_changed.connect(_groups_changed, sender=through, dispatch_uid="comments:role-badges")
    for signal in (post_save, post_delete):
        signal.connect(
            _group_saved_or_deleted, sender=Group, dispatch_uid="comments:role-badge-groups"
        )
