from django import template

register = template.Library()


@register.filter
def editable_by(comment, user) -> bool:
    return comment.is_editable_by(user)
