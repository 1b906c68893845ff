from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Flag, is_moderator


def moderation(request: HttpRequest) -> dict:
    """The open-flag count for the header link; counted only when a moderator renders it."""
    user = getattr(request, "user", None)
    if user is None or not is_moderator(user):
        return {"is_moderator": False}
    return {
        "is_moderator": True,
        "open_flag_count": SimpleLazyObject(
            lambda: Flag.objects.open().values("comment").distinct().count()
        ),
    }
