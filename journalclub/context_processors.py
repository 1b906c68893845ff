from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict:
    return {"site_name": settings.SITE_NAME}


def moderation(request: HttpRequest) -> dict:
    """The open-flag count for the header link; counted only when a moderator renders it."""
    from comments.models import Flag, is_moderator

    user = getattr(request, "user", None)
    if user is None or not is_moderator(user):
        return {"is_moderator": False}
    return {
        "is_moderator": True,
        "open_flag_count": SimpleLazyObject(
            lambda: Flag.objects.open().values("comment").distinct().count()
        ),
    }
