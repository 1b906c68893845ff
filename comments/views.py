import logging
from datetime import timedelta

from allauth.account.decorators import reauthentication_required
from allauth.account.utils import has_verified_email
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import needs_two_factor
from journalclub.inputs import whole_number
from posts.models import Question, Review
from posts.views import review_content_language

from . import discussion
from .discussion import location as comment_location
from .export import FORMATS as EXPORT_FORMATS
from .export import can_export, export_response
from .forms import (
    CommentForm,
    FlagForm,
    HideForm,
    ModeratorNoteForm,
    QueueFilterForm,
    SuspendForm,
)
from .models import (
    Comment,
    ModerationAction,
    QuestionFollow,
    Viewer,
    participation_refusal,
    questions_of_comments_in,
)
from .moderation import (
    FlagRefused,
    flag_comment,
    hide_comment,
    lift_suspension,
    needs_approval,
    suspend_member,
)
from .moderation import delete_account as delete_member
from .moderation import dismiss_flags as dismiss_open_flags
from .notifications import notify_about_new_comment, unsubscribe_target

logger = logging.getLogger("journalclub.comments")

# Access helpers: every view calls one of these first.


def _require_participation(request: HttpRequest) -> None:
    refusal = participation_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _require_permission(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("Only moderators can do this."))
    if needs_two_factor(request.user):
        raise PermissionDenied(_("Set up two-factor authentication before you moderate."))


def _posted_id(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    if not value:
        return None
    if (number := whole_number(value)) is None:
        raise Http404(f"Unknown {name}.")
    return number


def _numbered_questions(review: Review) -> list[Question]:
    """The questions of `review`, each with its `number`, its `review` and its `thread`: the
    question whose comments it shows (on a translation, the original's question n)."""
    questions = list(review.questions.all())
    threads = review.thread_questions(questions)
    for number, question in enumerate(questions, start=1):
        question.number, question.review = number, review
        question.thread = threads[number - 1] if number <= len(threads) else None
        if question.thread is not None:
            question.thread.number, question.thread.review = number, review.original
    return questions


def _get_comment_target(request: HttpRequest, slug: str) -> tuple[Question, Comment | None]:
    """The question (and comment) a new comment answers, or 404/403 if it may not be posted.
    On a translation, the comment goes to the original's question of the same number (its
    `thread`), which the question posted may name too (replies name their comment's)."""
    review = get_object_or_404(
        Review.objects.published().select_related("translation_of"), slug=slug
    )
    question_id = _posted_id(request, "question")
    questions = [q for q in _numbered_questions(review) if q.thread is not None]
    question = next((q for q in questions if question_id in (q.pk, q.thread.pk)), None)
    if question is None:
        raise Http404("No such question.")
    parent_id = _posted_id(request, "parent")
    parent = None
    if parent_id is not None:
        parent = get_object_or_404(
            Comment.objects.visible().select_related("parent"),
            pk=parent_id,
            question=question.thread,
        )
    # A translation takes comments only while its original, which keeps them, would.
    original = review.original
    if not (review.discussion_open and original.discussion_open and original.is_published):
        raise PermissionDenied(_("The discussion of this review is closed."))
    _require_participation(request)
    return question, parent


def _get_own_comment(request: HttpRequest, pk: int) -> Comment:
    """A comment of the signed-in member, on a review they can see; 404 for anyone else's."""
    return get_object_or_404(
        Comment.objects.select_related("review", "question", "author", "parent"),
        pk=pk,
        author=request.user,
        review__in=Review.objects.published(),
    )


def _get_visible_comment(pk: int) -> Comment:
    """A comment everyone may read, on a published review."""
    return get_object_or_404(
        Comment.objects.visible().select_related("review", "question", "author", "parent"),
        pk=pk,
        review__in=Review.objects.published(),
    )


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# Reading


def render_question_page(
    request: HttpRequest,
    question: Question,
    *,
    form: CommentForm | None = None,
    status: int = 200,
    conversation: int | None = None,
) -> HttpResponse:
    """A question's conversations page by page, long ones folded; or, given the id of a
    conversation's first comment, that conversation in full."""
    viewer = Viewer.of(request.user)
    page = None
    if conversation is None:
        requested = min(whole_number(request.GET.get("page", "")) or 1, 10**6)
        shown, page = discussion.question_page(
            question, question.number, viewer, request, requested, getattr(question, "thread", None)
        )
    else:
        shown = discussion.conversation(
            question,
            question.number,
            conversation,
            viewer,
            request,
            getattr(question, "thread", None),
        )
        if shown is None:
            raise Http404("This conversation is not shown.")
    context = {
        "review": question.review,
        "question": question,
        "conversation": conversation,
        "page_obj": page,
        "discussion": shown,
        "form": form or CommentForm(),
        "can_comment": viewer.participant,
        "refusal": viewer.refusal,
        "moderator": viewer.moderator,
        "followed": discussion.followed_question_ids(viewer, question.review),
        # An English review's text inside French pages is marked as English, and so on.
        "content_language": review_content_language(question.review),
    }
    return render(request, "comments/question_detail.html", context, status=status)


def question_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One question of a review with every thread of its discussion, page by page."""
    review = get_object_or_404(
        Review.objects.visible_to(request.user).with_citation().select_related("translation_of"),
        slug=slug,
    )
    questions = _numbered_questions(review)
    if not 1 <= number <= len(questions):
        raise Http404("No such question.")
    return render_question_page(request, questions[number - 1])


def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """One conversation (a top-level comment and every reply) in full."""
    first = get_object_or_404(
        Comment.objects.all(),
        pk=pk,
        parent=None,
        review__in=Review.objects.visible_to(request.user),
    )
    review = get_object_or_404(
        Review.objects.visible_to(request.user)
        .with_citation()
        .select_related("translation__series", "translation__article", "translation__reviewer"),
        pk=first.review_id,
    )
    # Shown on the version in the reader's language when there is one, as question n of
    # that version (unless it has no question n: then on the review as written).
    version = review.version_in(get_language())
    question = _question_showing(version, first.question_id)
    if question is None and version.pk != review.pk:
        question = _question_showing(review, first.question_id)
    if question is None:
        raise Http404("No such question.")
    return render_question_page(request, question, conversation=first.pk)


def _question_showing(review: Review, thread_id: int) -> Question | None:
    """The question of `review` that shows the thread of question `thread_id` (numbered)."""
    questions = _numbered_questions(review)
    return next((q for q in questions if q.thread and q.thread.pk == thread_id), None)


def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("review", "question", "parent"),
        pk=pk,
        review__in=Review.objects.visible_to(request.user),
    )
    viewer = Viewer.of(request.user)
    location = comment_location(comment, viewer)
    # Deleted after it was out for everyone to read: links to it lead on to its thread.
    if comment.is_deleted and comment.approved:
        location = location or _place_above(comment, viewer)
        messages.info(
            request, _("This comment was deleted by its author."), extra_tags=_anchor(location)
        )
        return HttpResponseRedirect(location)
    if location is None:
        raise Http404("This comment is not shown.")
    return HttpResponseRedirect(location)


def _place_above(comment: Comment, viewer: Viewer) -> str:
    """Where a comment that no longer shows was in its thread for `viewer`: at the nearest
    comment above it that shows, else at its question on the review page."""
    above = comment.parent
    while above is not None:
        if (location := comment_location(above, viewer)) is not None:
            return location
        above = above.parent
    review = comment.review.version_in(get_language())  # as `location` does
    return f"{review.get_absolute_url()}#question-{comment.question.number}"


def _anchor(location: str) -> str:
    """The comment or question anchor `location` opens at, if any: a message about that
    comment or question shows beside it (templatetags/comment_notices.py)."""
    fragment = location.rpartition("#")[2]
    return fragment if fragment.startswith(("comment-", "question-")) else ""


# Members' actions


@login_required
@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    question, parent = _get_comment_target(request, slug)
    thread = question.thread
    form = CommentForm(request.POST, author=request.user)
    if not form.is_valid():
        if (earlier := form.earlier_submission(thread)) is not None:
            return _posted(request, earlier)  # sent again (a double click) past the limit
        return _render_form_again(request, question, parent, form)
    reply_to, depth = parent.reply_position() if parent else (None, 0)
    comment = Comment(
        review=thread.review,
        question=thread,
        parent=reply_to,
        depth=depth,
        author=request.user,
        body=form.cleaned_data["body"],
        language=form.cleaned_data["language"],
        approved=not needs_approval(request.user),
        submission_key=form.submission_key,
    )
    comment.render()
    try:
        with transaction.atomic():
            comment.save()
            if comment.approved:
                notify_about_new_comment.enqueue(comment.pk, _site_url(request))
    except DatabaseError as error:
        if isinstance(error, IntegrityError) and (earlier := form.earlier_submission(thread)):
            # The same sending again: a double click, a retry after a lost answer.
            return _posted(request, earlier)
        logger.exception("comment could not be saved", extra={"event": "comment_save_failed"})
        form.add_error(
            None,
            _(
                "We could not save your comment just now. Your text is kept below: please try "
                "again in a moment."
            ),
        )
        response = _render_form_again(request, question, parent, form, status=503)
        response["Retry-After"] = "30"
        add_never_cache_headers(response)
        return response
    if request.user.follow_on_comment:
        QuestionFollow.objects.get_or_create(question=thread, member=request.user)
    return _posted(request, comment)


def _posted(request: HttpRequest, comment: Comment) -> HttpResponse:
    """To the comment just posted, with a word on when others see it."""
    # Shown beside the comment, where the page opens (templatetags/comment_notices.py).
    if comment.approved:
        messages.success(request, _("Your comment is posted."), extra_tags=comment.anchor)
    else:
        messages.info(
            request,
            _(
                "Thanks! As this is your first comment, a moderator will approve it before "
                "others see it."
            ),
            extra_tags=comment.anchor,
        )
    location = comment_location(comment, Viewer.of(request.user), exact_page=False)
    return HttpResponseRedirect(location or comment.review.get_absolute_url())


def _render_form_again(
    request, question: Question, parent: Comment | None, form, status: int = 400
) -> HttpResponse:
    if parent is not None:
        context = {"parent": parent, "form": form, "can_comment": True}
        return render(request, "comments/reply.html", context, status=status)
    return render_question_page(request, question, form=form, status=status)


def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on a page of its own, for readers without JavaScript."""
    parent = _get_visible_comment(pk)
    refusal = participation_refusal(request.user)
    context = {
        "parent": parent,
        "form": CommentForm(),
        "can_comment": refusal is None,
        "refusal": refusal,
    }
    return render(request, "comments/reply.html", context)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_own_comment(request, pk)
    _require_participation(request)
    if not comment.review.discussion_open:
        raise PermissionDenied(_("The discussion of this review is closed."))
    if not comment.is_editable_by(request.user):
        messages.error(
            request,
            _(
                "Comments can be edited for %(minutes)s minutes after posting; this one can no "
                "longer be changed."
            )
            % {"minutes": settings.COMMENTS_EDIT_WINDOW_MINUTES},
        )
        return redirect(comment)
    form = CommentForm(request.POST or None, author=request.user, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        comment.edit(form.cleaned_data["body"])
        messages.success(request, _("Your comment is updated."))
        return redirect(comment)
    status = 400 if form.is_bound else 200
    return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=status)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_own_comment(request, pk)
    if comment.is_deleted:
        raise Http404("Already deleted.")
    if request.method == "POST":
        comment.delete_by_author()
        # Back to where it was: its "deleted" placeholder holds its place while replies
        # below it show; else the comment it answered, or its question.
        viewer = Viewer.of(request.user)
        location = comment_location(comment, viewer) or _place_above(comment, viewer)
        messages.success(request, _("Your comment is deleted."), extra_tags=_anchor(location))
        return HttpResponseRedirect(location)
    return render(request, "comments/delete.html", {"comment": comment})


@login_required
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_visible_comment(pk)
    _require_participation(request)
    # Cards are cached for every member alike, so they still offer "Flag": say when it was.
    if (earlier := comment.flags.filter(flagger=request.user).first()) is not None:
        context = {"comment": comment, "earlier": earlier}
        status = 400 if request.method == "POST" else 200
        return render(request, "comments/flag.html", context, status=status)
    if not comment.actions_for(Viewer.of(request.user)).flag:  # visible, so: their own
        raise PermissionDenied(_("You can't flag your own comment."))
    form = FlagForm(request.POST or None, flagger=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            flag_comment(
                comment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                site_url=_site_url(request),
            )
        except FlagRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Thank you: the moderators will look at this comment."),
                extra_tags=comment.anchor,
            )
            return redirect(comment)
    status = 400 if form.is_bound else 200
    return render(request, "comments/flag.html", {"comment": comment, "form": form}, status=status)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow or stop following a question of a published review."""
    question = get_object_or_404(
        Question.objects.select_related("review__translation_of"),
        pk=pk,
        review__in=Review.objects.published(),
    )
    page_review = question.review
    # A translation's question is followed as the original's, whose thread it shows.
    if (thread := _numbered_questions(page_review)[question.number - 1].thread) is None:
        raise Http404("No such question.")
    if not has_verified_email(request.user):
        raise PermissionDenied(_("Verify your email address to follow questions."))
    follow, created = QuestionFollow.objects.get_or_create(question=thread, member=request.user)
    if created:
        messages.success(
            request, _("You follow this question: new comments will be emailed to you.")
        )
    else:
        follow.delete()
        messages.success(request, _("You no longer follow this question."))
    if request.POST.get("next") == "profile":
        return redirect("accounts:profile")
    return HttpResponseRedirect(f"{page_review.get_absolute_url()}#question-{question.number}")


# The one-click link of every email. Mail scanners and link previews open links, so a GET
# only asks; a POST acts, from the page's button or from a mail client (RFC 8058), which
# sends no CSRF token: the signed token in the address is what authorises it.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    pk = unsubscribe_target(purpose, token)
    if pk is None:
        return render(request, "comments/unsubscribe_invalid.html", status=400)
    context = {"purpose": purpose, "done": request.method == "POST"}
    if purpose == "replies":
        member = get_object_or_404(get_user_model(), pk=pk)
        if request.method == "POST":
            member.reply_emails = request.POST.get("action") == "resubscribe"
            member.save(update_fields=["reply_emails"])
        context["subscribed"] = member.reply_emails
    else:
        follow = QuestionFollow.objects.select_related("question__review").filter(pk=pk).first()
        context["question"] = follow.question if follow else None
        if follow is None:
            context["done"] = True
        elif request.method == "POST":
            follow.delete()
    return render(request, "comments/unsubscribe.html", context)


@login_required
@reauthentication_required
def delete_account(request: HttpRequest) -> HttpResponse:
    context = {"keeps_text": settings.ACCOUNT_DELETION_KEEPS_TEXT}
    if request.method != "POST":
        return render(request, "accounts/delete.html", context)
    if request.POST.get("confirm") != "delete":
        messages.error(request, _("Type delete in the box to confirm."))
        return render(request, "accounts/delete.html", context, status=400)
    member = request.user
    logout(request)
    delete_member(member)
    messages.success(request, _("Your account and personal data are deleted. Goodbye."))
    return redirect("posts:review_list")


# Moderators' actions


@login_required
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_moderated_comment(request, pk, "comments.hide_comment")
    flagged_for = comment.flags.open().most_frequent_reason()
    form = HideForm(request.POST or None, initial={"reason": flagged_for})
    if request.method == "POST" and form.is_valid():
        if comment.actions_for(Viewer.of(request.user)).hide:
            hide_comment(
                comment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                site_url=_site_url(request),
            )
        messages.success(request, _("The comment is hidden."))
        return _back(request, comment)
    status = 400 if form.is_bound else 200
    return render(request, "comments/hide.html", {"comment": comment, "form": form}, status=status)


@login_required
@require_POST
def unhide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_moderated_comment(request, pk, "comments.hide_comment")
    if comment.is_hidden and (note := _moderator_note(request)) is not None:
        comment.unhide(by=request.user, note=note)
        messages.success(request, _("The comment is visible again."))
    return _back(request, comment)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_moderated_comment(request, pk, "comments.hide_comment")
    if comment.is_hidden:
        messages.error(request, _("This comment is hidden: unhide it before approving it."))
    elif comment.actions_for(Viewer.of(request.user)).approve:
        with transaction.atomic():
            comment.approve(by=request.user)
            notify_about_new_comment.enqueue(comment.pk, _site_url(request))
        messages.success(request, _("The comment is approved and visible to everyone."))
    return _back(request, comment)


@login_required
@require_POST
def dismiss_flags(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_moderated_comment(request, pk, "comments.resolve_flag")
    if comment.flags.open().exists() and (note := _moderator_note(request)) is not None:
        dismiss_open_flags(comment, by=request.user, note=note, site_url=_site_url(request))
        messages.success(request, _("The flags are dismissed."))
    return _back(request, comment)


def _get_moderated_comment(request: HttpRequest, pk: int, permission: str) -> Comment:
    _require_permission(request, permission)
    return get_object_or_404(
        Comment.objects.select_related("review", "question", "parent", "author"), pk=pk
    )


def _moderator_note(request: HttpRequest) -> str | None:
    """The note a moderator typed; None, with a message saying why, when it can't be kept."""
    form = ModeratorNoteForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["note"]
    errors = " ".join(form.errors["note"])
    messages.error(request, _("Nothing was changed. The note: %(errors)s") % {"errors": errors})
    return None


def _back(request: HttpRequest, comment: Comment) -> HttpResponse:
    """Back to the moderation queue when the action came from there, else to the comment."""
    if request.POST.get("next") == "queue":
        return redirect("comments:queue")
    location = comment_location(comment, Viewer.of(request.user))
    return HttpResponseRedirect(location or comment.review.get_absolute_url())


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_permission(request, "comments.view_hidden_comment")
    comments = Comment.objects.for_moderators()
    recent = comments.order_by("-created_at", "-id")
    filters = QueueFilterForm(request.GET or None)
    if filters.is_valid():
        if review := filters.cleaned_data["review"]:
            recent = recent.filter(review=review)
        if member := filters.cleaned_data["member"]:
            recent = recent.by_member(member)
        if filters.cleaned_data["last_week"]:
            recent = recent.filter(created_at__gte=timezone.now() - timedelta(days=7))
    per_page = settings.MODERATION_PER_PAGE
    flagged = Paginator(comments.flagged(), per_page).get_page(
        whole_number(request.GET.get("flags_page"))
    )
    recent = Paginator(recent, per_page).get_page(whole_number(request.GET.get("page")))
    flagged.object_list, recent.object_list = list(flagged), list(recent)
    pending = list(comments.awaiting_approval()[:per_page])
    recently_hidden = list(comments.recently_hidden()[:10])
    # Each comment's review and question as the moderator reads them.
    questions_of_comments_in(get_language(), [*flagged, *pending, *recently_hidden, *recent])
    context = {
        "flagged": flagged,
        "pending": pending,
        "recently_hidden": recently_hidden,
        "recent": recent,
        "filters": filters,
        "filter_query": _query_without_page(request),
    }
    return render(request, "comments/queue.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def log(request: HttpRequest) -> HttpResponse:
    _require_permission(request, "comments.view_hidden_comment")
    entries = ModerationAction.objects.select_related("actor", "member", "comment__review")
    page = Paginator(entries, settings.MODERATION_PER_PAGE).get_page(
        whole_number(request.GET.get("page"))
    )
    return render(request, "comments/log.html", {"page_obj": page, "entries": page.object_list})


@login_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    """A member seen by moderators: their comments, their suspension, and its controls."""
    _require_permission(request, "accounts.suspend_member")
    member = get_object_or_404(get_user_model(), pk=pk)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "lift":
        if (note := _moderator_note(request)) is not None:
            lift_suspension(member, by=request.user, note=note)
            messages.success(
                request, _("%(name)s can take part again.") % {"name": member.public_name}
            )
        return redirect("comments:member", pk=member.pk)
    if request.method == "POST" and form.is_valid():
        hidden = suspend_member(
            member,
            by=request.user,
            until=form.until_datetime(),
            reason=form.cleaned_data["reason"],
            hide_comments=form.cleaned_data["hide_comments"],
            site_url=_site_url(request),
        )
        messages.success(
            request,
            _("%(name)s is suspended. Comments hidden: %(count)s.")
            % {"name": member.public_name, "count": hidden},
        )
        return redirect("comments:member", pk=member.pk)
    comments = list(
        member.comments.select_related(
            "review__translation", "review__translation_of", "question"
        ).order_by("-created_at")[:50]
    )
    questions_of_comments_in(get_language(), comments)
    context = {"member": member, "form": form, "comments": comments}
    return render(request, "comments/member.html", context, status=400 if form.errors else 200)


# Exports


def _get_exportable_review(request: HttpRequest, slug: str) -> Review:
    """A review whose discussion the user may download: editors and moderators only."""
    if not can_export(request.user):
        raise PermissionDenied(_("Only editors and moderators can export a discussion."))
    return get_object_or_404(Review.objects.visible_to(request.user), slug=slug)


@login_required
@require_GET
def export_discussion(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    review = _get_exportable_review(request, slug)
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    return export_response(review, fmt)
