from allauth.account.utils import has_verified_email
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from posts.models import Question, Review

from .forms import CommentForm, EditCommentForm
from .models import Comment
from .notifications import send_reply_email
from .threads import build_threads, count_visible, thread_index


def can_comment(user) -> bool:
    return user.is_authenticated and has_verified_email(user)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404(f"Unknown {name}.")
    return int(value)


def _get_comment_target(request: HttpRequest, slug: str) -> tuple[Question, Comment | None]:
    """The question (and comment) a new comment answers, or 404/403 if it may not be posted."""
    review = get_object_or_404(Review.objects.published(), slug=slug)
    question = get_object_or_404(review.questions, pk=_posted_id(request, "question"))
    parent_id = _posted_id(request, "parent")
    parent = None
    if parent_id is not None:
        parent = get_object_or_404(
            Comment.objects.visible().select_related("parent"), pk=parent_id, question=question
        )
    if not review.discussion_open:
        raise PermissionDenied("The discussion of this review is closed.")
    if not can_comment(request.user):
        raise PermissionDenied("Verify your email address before you join the discussion.")
    return question, parent


def _get_own_comment(request: HttpRequest, pk: int) -> Comment:
    """A comment of the signed-in member, on a review they can see; 404 for anyone else's."""
    comment = get_object_or_404(
        Comment.objects.select_related("review", "question", "author"),
        pk=pk,
        author=request.user,
        review__in=Review.objects.published(),
    )
    return comment


def comment_location(comment: Comment) -> str | None:
    """The URL of the page that shows `comment`, at its anchor; None if no page shows it."""
    question = comment.question
    roots = build_threads(Comment.objects.filter(question=question).for_threads()).get(
        question.pk, []
    )
    index = thread_index(roots, comment)
    if index is None:
        return None
    if index < settings.COMMENTS_THREADS_ON_REVIEW_PAGE:
        url = comment.review.get_absolute_url()
    else:
        page = index // settings.COMMENTS_THREADS_PER_PAGE + 1
        url = f"{question.get_absolute_url()}?page={page}"
    return f"{url}#{comment.anchor}"


@login_required
@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    question, parent = _get_comment_target(request, slug)
    form = CommentForm(request.POST, author=request.user)
    if not form.is_valid():
        return _render_form_again(request, question, parent, form)
    reply_to, depth = parent.reply_position() if parent else (None, 0)
    comment = Comment.objects.create(
        review=question.review,
        question=question,
        parent=reply_to,
        depth=depth,
        author=request.user,
        body=form.cleaned_data["body"],
    )
    site_url = request.build_absolute_uri("/").rstrip("/")
    transaction.on_commit(lambda: send_reply_email(comment, site_url))
    messages.success(request, "Your comment is posted.")
    return HttpResponseRedirect(comment_location(comment) or question.review.get_absolute_url())


def _render_form_again(request, question: Question, parent: Comment | None, form) -> HttpResponse:
    if parent is not None:
        context = {"parent": parent, "form": form, "can_comment": True}
        return render(request, "comments/reply.html", context, status=400)
    return render_question_page(request, question, form=form, status=400)


def render_question_page(
    request: HttpRequest, question: Question, *, form: CommentForm | None = None, status: int = 200
) -> HttpResponse:
    comments = list(Comment.objects.filter(question=question).for_threads())
    roots = build_threads(comments).get(question.pk, [])
    page = Paginator(roots, settings.COMMENTS_THREADS_PER_PAGE).get_page(request.GET.get("page"))
    question.comment_count = count_visible(comments).get(question.pk, 0)
    context = {
        "review": question.review,
        "question": question,
        "page_obj": page,
        "threads": page.object_list,
        "form": form or CommentForm(),
        "can_comment": can_comment(request.user),
    }
    return render(request, "comments/question_detail.html", context, status=status)


def question_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One question of a review with every thread of its discussion, page by page."""
    review = get_object_or_404(Review.objects.visible_to(request.user).with_citation(), slug=slug)
    questions = list(review.questions.all())
    if not 1 <= number <= len(questions):
        raise Http404("No such question.")
    question = questions[number - 1]
    question.number, question.review = number, review
    return render_question_page(request, question)


def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on a page of its own, for readers without JavaScript."""
    parent = get_object_or_404(
        Comment.objects.visible().select_related("review", "question", "author"),
        pk=pk,
        review__in=Review.objects.published(),
    )
    return render(
        request,
        "comments/reply.html",
        {"parent": parent, "form": CommentForm(), "can_comment": can_comment(request.user)},
    )


def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("review", "question"),
        pk=pk,
        review__in=Review.objects.visible_to(request.user),
    )
    location = comment_location(comment)
    if location is None:
        raise Http404("This comment is no longer shown.")
    return HttpResponseRedirect(location)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_own_comment(request, pk)
    if not comment.review.discussion_open:
        raise PermissionDenied("The discussion of this review is closed.")
    if not comment.is_editable_by(request.user):
        messages.error(
            request,
            f"Comments can be edited for {settings.COMMENTS_EDIT_WINDOW_MINUTES} minutes after "
            "posting; this one can no longer be changed.",
        )
        return redirect(comment)
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        comment.edit(form.cleaned_data["body"])
        messages.success(request, "Your comment is updated.")
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
        messages.success(request, "Your comment is deleted.")
        return redirect(comment.review)
    return render(request, "comments/delete.html", {"comment": comment})
