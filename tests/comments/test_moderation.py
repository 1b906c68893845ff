from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Flag, HideReason, ModerationAction
from comments.moderation import FlagRefused, flag_comment, lift_suspension, suspend_member
from tests.factories import make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

SECRET = "Text only its author and the moderators may read"


def make_moderator(**fields):
    fields.setdefault("display_name", "Mo Derator")
    user = make_user(**fields)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def hidden(db):
    review = make_review()
    author = make_user(display_name="Hidden Author")
    comment = make_comment(question=review.questions.first(), author=author, body=SECRET)
    reply = make_comment(parent=comment, body="A reply that stays visible")
    moderator = make_moderator()
    comment.edit(SECRET + " (edited)")
    comment.hide(by=moderator, reason=HideReason.DISRESPECTFUL, note="Please keep it civil")
    return review, comment, reply, moderator


def test_others_see_a_placeholder_in_place_with_the_replies_kept(client, hidden):
    review, comment, reply, _ = hidden
    client.force_login(make_user())
    page = client.get(review.get_absolute_url()).content.decode()
    assert SECRET not in page
    assert "Please keep it civil" not in page
    at = page.index(f'id="comment-{comment.pk}"')
    assert page.index("Hidden by a moderator.", at) < page.index(f'id="comment-{reply.pk}"')
    assert "A reply that stays visible" in page
    assert 'Question 1 <span class="question__count">· 1 comment</span>' in page


def test_the_author_sees_their_text_with_the_reason(client, hidden):
    review, comment, _, _ = hidden
    client.force_login(comment.author)
    page = client.get(review.get_absolute_url()).content.decode()
    assert SECRET in page
    assert "Hidden by a moderator: Disrespectful (Please keep it civil)." in page
    assert "Mo Derator" not in page


def test_moderators_see_text_who_when_why_and_the_edit_history(client, hidden):
    review, comment, _, moderator = hidden
    client.force_login(make_moderator(display_name="Another Moderator"))  # names are unique
    page = client.get(review.get_absolute_url()).content.decode()
    assert SECRET in page
    assert "comment--hidden" in page
    assert "Hidden by Mo Derator on" in page
    assert "Disrespectful (Please keep it civil)" in page
    assert "Edit history (1 earlier version)" in page
    assert f'Unhide<span class="visually-hidden"> comment {comment.pk}' in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_hidden_text_reaches_no_page_for_other_readers(client, hidden, signed_in):
    review, comment, reply, _ = hidden
    if signed_in:
        client.force_login(make_user())
    urls = [
        "/",
        review.get_absolute_url(),
        f"/reviews/{review.slug}/questions/1/",
        f"/reviews/{review.slug}/questions/1/?page=1",
        "/feed/",
        review.series.get_absolute_url(),
        f"/comments/{reply.pk}/reply/",
    ]
    for url in urls:
        assert SECRET not in client.get(url).content.decode(), url
    for url in [f"/comments/{comment.pk}/reply/", f"/comments/{comment.pk}/flag/"]:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert SECRET not in response.content.decode(), url
    permalink = client.get(f"/comments/{comment.pk}/")
    assert permalink["Location"].endswith(f"#comment-{comment.pk}")


def test_hiding_is_reversible_and_loses_nothing(client, hidden):
    review, comment, _, moderator = hidden
    comment.unhide(by=moderator)
    comment.refresh_from_db()
    assert comment.body == SECRET + " (edited)"
    assert comment.revisions.count() == 1
    assert (comment.hidden_at, comment.hidden_reason) == (None, "")
    assert SECRET in client.get(review.get_absolute_url()).content.decode()


def test_hide_page_asks_for_a_reason(client):
    comment = make_comment()
    client.force_login(make_moderator())
    page = client.get(f"/comments/{comment.pk}/hide/").content.decode()
    for label in ["Spam", "Off-topic", "Disrespectful", "Personal information", "Other"]:
        assert f">{label}</option>" in page
    response = client.post(f"/comments/{comment.pk}/hide/", {"reason": "", "note": "kept"})
    assert response.status_code == 400
    assert "kept</textarea>" in response.content.decode()
    assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_hide_from_the_page_returns_to_the_comment_and_is_logged(client):
    comment = make_comment()
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        f"/comments/{comment.pk}/hide/", {"reason": "off_topic", "note": "Wrong thread"}
    )
    assert response["Location"] == f"{comment.review.get_absolute_url()}#comment-{comment.pk}"
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.actor, entry.comment, entry.member) == (
        "hide",
        moderator,
        comment,
        comment.author,
    )
    assert (entry.reason, entry.note) == ("off_topic", "Wrong thread")


# Flags


def flag(comment, member, site_url="http://testserver"):
    return flag_comment(comment, by=member, reason="spam", note="", site_url=site_url)


def test_nth_distinct_flag_hides_once_and_emails_moderators(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 3
    make_moderator(email="mod@example.org")
    comment = make_comment()
    with django_capture_on_commit_callbacks(execute=True):
        flag(comment, make_user())
        flag(comment, make_user())
        comment.refresh_from_db()
        assert not comment.is_hidden
        flag(comment, make_user())
        comment.refresh_from_db()
        assert comment.is_hidden
        assert comment.hidden_reason == HideReason.FLAGGED
        assert comment.hidden_by is None
        flag(comment, make_user())
    assert ModerationAction.objects.filter(action="auto_hide").count() == 1
    run_tasks()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["mod@example.org"]
    assert "http://testserver/moderation/" in mailoutbox[0].body
    assert SECRET not in mailoutbox[0].body


def test_a_member_cannot_flag_twice_or_their_own_comment(client):
    comment = make_comment()
    member = make_user()
    flag(comment, member)
    with pytest.raises(FlagRefused):
        flag(comment, member)
    with pytest.raises(FlagRefused):
        flag(comment, comment.author)
    client.force_login(member)
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam", "note": "again"})
    assert response.status_code == 400
    assert "You flagged this comment on" in response.content.decode()
    client.force_login(comment.author)
    assert client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}).status_code == 403
    assert Flag.objects.count() == 1


def test_flagging_through_the_page_thanks_the_member(client):
    comment = make_comment()
    client.force_login(make_user())
    page = client.get(f"/comments/{comment.pk}/flag/").content.decode()
    assert "Personal information" in page
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "personal_information"})
    assert response.status_code == 302
    assert Flag.objects.get().reason == "personal_information"


def test_flagging_is_rate_limited(client, settings):
    settings.COMMENTS_FLAGS_PER_MINUTE = 2
    member = make_user()
    client.force_login(member)
    comments = [make_comment() for _ in range(3)]
    for comment in comments[:2]:
        assert client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}).status_code == 302
    response = client.post(f"/comments/{comments[2].pk}/flag/", {"reason": "spam"})
    assert response.status_code == 400
    assert "You can flag at most 2 comments a minute." in response.content.decode()
    assert Flag.objects.count() == 2


# The queue


def test_queue_groups_open_flags_by_comment_with_their_context(client):
    review = make_review(title="Queue review")
    parent = make_comment(question=review.questions.first(), body="The parent comment")
    flagged = make_comment(parent=parent, body="Flagged words")
    for reason in ["spam", "off_topic"]:
        Flag.objects.create(comment=flagged, flagger=make_user(), reason=reason, note="why")
    client.force_login(make_moderator())
    page = client.get("/moderation/").content.decode()
    assert "Flagged comments (1)" in page
    assert "Queue review" in page
    assert "Question 1?" in page
    assert "The parent comment" in page
    assert "<strong>Spam</strong>" in page and "<strong>Off-topic</strong>" in page
    assert 'Moderation <span class="badge">1<span class="visually-hidden"> open flags' in page


def test_queue_lists_only_comments_with_open_flags(client):
    make_comment(body="Never flagged")
    resolved = make_comment(body="Flag already resolved")
    Flag.objects.create(
        comment=resolved, flagger=make_user(), reason="spam", resolved_at=timezone.now()
    )
    flagged = make_comment(body="Flagged now")
    Flag.objects.create(comment=flagged, flagger=make_user(), reason="spam")
    client.force_login(make_moderator())
    response = client.get("/moderation/")
    assert list(response.context["flagged"]) == [flagged]


def test_dismissing_flags_clears_them_and_is_logged(client):
    comment = make_comment()
    Flag.objects.create(comment=comment, flagger=make_user(), reason="spam")
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        f"/comments/{comment.pk}/dismiss-flags/", {"note": "Fair comment", "next": "queue"}
    )
    assert response["Location"] == "/moderation/"
    assert not Flag.objects.open().exists()
    assert Flag.objects.get().resolved_by == moderator
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.note) == ("dismiss", "Fair comment")
    assert "No open flags" in client.get("/moderation/").content.decode()


def test_queue_filters_recent_comments_by_review_member_and_week(client):
    first, second = make_review(), make_review()
    alice = make_user(display_name="Alice Filter")
    mine = make_comment(question=first.questions.first(), author=alice, body="Alice on first")
    make_comment(question=second.questions.first(), author=alice, body="Alice on second")
    make_comment(question=first.questions.first(), body="Someone else on first")
    make_comment(
        question=first.questions.first(),
        author=alice,
        body="Alice long ago",
        created_at=timezone.now() - timedelta(days=10),
    )
    client.force_login(make_moderator())
    response = client.get(
        "/moderation/", {"review": first.pk, "member": "alice", "last_week": "on"}
    )
    assert list(response.context["recent"]) == [mine]


def test_queue_pages_recent_comments(client, settings):
    settings.MODERATION_PER_PAGE = 2
    for _ in range(5):
        make_comment()
    client.force_login(make_moderator())
    assert len(client.get("/moderation/").context["recent"]) == 2
    assert len(client.get("/moderation/?page=3").context["recent"]) == 1


# Suspensions


def test_suspension_until_a_date_with_hiding_all_comments(client):
    member = make_user(display_name="Troubled Member")
    comments = [make_comment(author=member) for _ in range(2)]
    moderator = make_moderator()
    client.force_login(moderator)
    until = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "until": until, "reason": "Insults", "hide_comments": "on"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended
    assert member.suspended_until.date().isoformat() == until
    assert all(Comment.objects.get(pk=c.pk).is_hidden for c in comments)
    actions = list(ModerationAction.objects.values_list("action", flat=True))
    assert sorted(actions) == ["hide", "hide", "suspend"]


def test_suspension_in_the_past_is_refused_with_the_reason_kept(client):
    member = make_user()
    client.force_login(make_moderator())
    response = client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "until": "2000-01-01", "reason": "Kept reason"},
    )
    assert response.status_code == 400
    assert "Choose a date after today" in response.content.decode()
    assert "Kept reason</textarea>" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_suspended


def test_suspension_expires_and_lifting_is_one_action(client):
    member = make_user()
    moderator = make_moderator()
    suspend_member(member, by=moderator, until=None, reason="Spam")
    assert member.is_suspended
    client.force_login(moderator)
    response = client.post(f"/moderation/members/{member.pk}/", {"action": "lift"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_suspended
    assert ModerationAction.objects.filter(action="lift", member=member).count() == 1
    member.suspended_at = timezone.now() - timedelta(days=3)
    member.suspended_until = timezone.now() - timedelta(days=1)
    assert not member.is_suspended


def test_suspended_member_can_read_and_sign_in_but_not_flag(client):
    member = make_user()
    suspend_member(member, by=make_moderator(), until=None, reason="Spam")
    comment = make_comment()
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get(comment.review.get_absolute_url()).status_code == 200
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 403
    assert "Your account is suspended until further notice: Spam" in response.content.decode()


# Pre-moderation


def test_premoderation_holds_a_first_comment_until_approved(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_PREMODERATION = True
    review = make_review()
    parent = make_comment(question=review.questions.first(), body="Established member")
    newcomer = make_user()
    client.force_login(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/reviews/{review.slug}/comments/",
            {"question": parent.question_id, "parent": parent.pk, "body": "My first words"},
        )
    comment = Comment.objects.get(body="My first words")
    assert not comment.approved
    run_tasks()
    assert mailoutbox == []
    own_view = client.get(review.get_absolute_url()).content.decode()
    assert "My first words" in own_view and "Awaiting approval" in own_view

    client.force_login(make_user())
    other_view = client.get(review.get_absolute_url()).content.decode()
    assert "My first words" not in other_view
    assert 'Question 1 <span class="question__count">· 1 comment</span>' in other_view

    moderator = make_moderator()
    client.force_login(moderator)
    assert "My first words" in client.get("/moderation/").content.decode()
    client.post(f"/comments/{comment.pk}/approve/", {"next": "queue"})
    run_tasks()
    comment.refresh_from_db()
    assert comment.approved
    assert len(mailoutbox) == 1 and "My first words" in mailoutbox[0].body
    assert ModerationAction.objects.get().action == "approve"
    client.logout()
    assert "My first words" in client.get(review.get_absolute_url()).content.decode()


def test_premoderation_lets_members_with_an_approved_comment_post_directly(client, settings):
    settings.COMMENTS_PREMODERATION = True
    member = make_user()
    comment = make_comment(author=member)
    client.force_login(member)
    client.post(
        f"/reviews/{comment.review.slug}/comments/",
        {"question": comment.question_id, "body": "Second comment"},
    )
    assert Comment.objects.get(body="Second comment").approved


def test_premoderation_is_off_by_default(client):
    member = make_user()
    review = make_review()
    client.force_login(member)
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": review.questions.first().pk, "body": "Straight in"},
    )
    assert Comment.objects.get().approved


# Audit trail


def test_every_action_is_logged_once_and_listed_for_moderators(client, settings):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 1
    moderator = make_moderator()
    comment = make_comment()
    member = comment.author
    comment.hide(by=moderator, reason=HideReason.SPAM)
    comment.unhide(by=moderator)
    flag(comment, make_user())  # auto-hide
    comment.dismiss_flags(by=moderator, note="ok")
    pending = make_comment(approved=False)
    pending.approve(by=moderator)
    suspend_member(member, by=moderator, until=None, reason="r")
    lift_suspension(member, by=moderator)
    actions = sorted(ModerationAction.objects.values_list("action", flat=True))
    assert actions == sorted(
        ["hide", "unhide", "auto_hide", "dismiss", "approve", "suspend", "lift"]
    )
    client.force_login(moderator)
    page = client.get("/moderation/log/").content.decode()
    for label in [
        "Hidden",
        "Unhidden",
        "Hidden automatically after flags",
        "Flags dismissed",
        "Approved",
        "Suspended",
        "Suspension lifted",
    ]:
        assert f'<td data-label="What:">{label}</td>' in page
    assert client.get("/moderation/log/").status_code == 200
    client.force_login(make_user())
    assert client.get("/moderation/log/").status_code == 403


def test_admin_shows_the_log_read_only_even_to_superusers(client):
    entry = ModerationAction.objects.create(action="hide", reason="spam")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    base = "/admin/comments/moderationaction/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # a read-only view
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{entry.pk}/change/", {"reason": "changed"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "spam"


def test_admin_hide_and_unhide_go_through_the_same_code_and_log(client):
    superuser = make_user(is_staff=True, is_superuser=True)
    comment = make_comment()
    client.force_login(superuser)
    url = "/admin/comments/comment/"
    client.post(
        url,
        {
            "action": "hide_comments",
            "_selected_action": [comment.pk],
            "reason": "spam",
            "note": "n",
        },
    )
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == superuser
    client.post(url, {"action": "unhide_comments", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "hide",
        "unhide",
    ]


def test_admin_hide_without_a_reason_changes_nothing(client):
    comment = make_comment()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    client.post(
        "/admin/comments/comment/",
        {"action": "hide_comments", "_selected_action": [comment.pk], "reason": ""},
    )
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    assert not ModerationAction.objects.exists()


def test_moderators_group_has_the_four_permissions_and_editors_have_none():
    moderators = Group.objects.get(name="Moderators")
    assert set(moderators.permissions.values_list("codename", flat=True)) == {
        "hide_comment",
        "view_hidden_comment",
        "resolve_flag",
        "suspend_member",
    }
    editor = make_user(editor=True)
    assert not editor.has_perm("comments.hide_comment")


def test_demo_queue_is_not_empty(client, settings):
    settings.DEBUG = True
    call_command("load_demo")
    from accounts.models import User

    client.force_login(User.objects.get(username="moderator"))
    assert "Flagged comments (1)" in client.get("/moderation/").content.decode()


def test_a_held_reply_hidden_before_approval_is_mailed_to_no_one(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_PREMODERATION = True
    review = make_review()
    parent = make_comment(question=review.questions.first(), body="Established member")
    newcomer = make_user()
    client.force_login(newcomer)
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "Held and then hidden"},
    )
    held = Comment.objects.get(body="Held and then hidden")
    moderator = make_moderator()
    held.hide(by=moderator, reason=HideReason.SPAM)
    client.force_login(moderator)

    queue = client.get("/moderation/").content.decode()
    assert f'action="/comments/{held.pk}/approve/"' not in queue
    assert f'action="/comments/{held.pk}/unhide/"' in queue
    response = client.post(f"/comments/{held.pk}/approve/", {"next": "queue"}, follow=True)
    run_tasks()
    assert "unhide it before approving it" in response.content.decode()
    held.refresh_from_db()
    assert not held.approved
    assert mailoutbox == []
    assert not ModerationAction.objects.filter(action="approve").exists()


def test_a_comment_hidden_before_its_emails_go_is_mailed_to_no_one(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    review = make_review()
    parent = make_comment(question=review.questions.first(), body="Parent")
    follower = make_user()
    client.force_login(follower)
    client.post(f"/questions/{parent.question_id}/follow/")
    replier = make_user()
    client.force_login(replier)
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": SECRET},
    )
    Comment.objects.get(body=SECRET).hide(by=make_moderator(), reason=HideReason.SPAM)
    run_tasks()
    assert [message for message in mailoutbox if SECRET in message.body] == []
