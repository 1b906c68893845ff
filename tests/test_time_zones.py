"""Times shown in the reader's zone, always labelled: the site's (America/Toronto) for
everyone, a member's own when they chose one."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.utils import timezone

from comments.models import Comment, CommentRevision, ModerationAction, QuestionFollow
from comments.moderation import flag_comment
from tests.factories import make_comment, make_moderator, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

WINTER = datetime(2026, 12, 3, 23, 56, tzinfo=UTC)  # 18:56 in Toronto, 15:56 in Vancouver
SUMMER = datetime(2026, 7, 3, 22, 56, tzinfo=UTC)  # 18:56 in Toronto (daylight time)


def render(source: str, **context) -> str:
    return Template("{% load times %}" + source).render(Context(context))


def card_times(page: str) -> list[str]:
    return re.findall(r'class="comment__permalink" href="[^"]+">(<time [^<]+</time>)', page)


def test_the_site_zone_is_toronto_by_default():
    assert django_settings.TIME_ZONE == "America/Toronto"
    assert django_settings.USE_TZ is True


def test_moment_is_a_time_element_labelled_with_the_zone():
    assert render("{{ when|moment }}", when=WINTER) == (
        '<time datetime="2026-12-03T18:56:00-05:00">3 Dec 2026, 18:56 EST</time>'
    )
    assert render("{{ when|moment }}", when=SUMMER) == (
        '<time datetime="2026-07-03T18:56:00-04:00">3 Jul 2026, 18:56 EDT</time>'
    )
    assert render('{{ when|moment:"time" }}', when=WINTER) == (
        '<time datetime="2026-12-03T18:56:00-05:00">18:56 EST</time>'
    )
    assert render("[{{ when|moment }}]", when=None) == "[]"


def test_moment_text_is_plain_text_in_the_active_zone():
    with timezone.override("America/Vancouver"):
        assert render("{{ when|moment_text }}", when=WINTER) == "3 Dec 2026, 15:56 PST"
        assert render('{{ when|moment_text:"time" }}', when=WINTER) == "15:56 PST"
    # A zone without an abbreviation is named by its offset.
    with timezone.override("America/Sao_Paulo"):
        assert render("{{ when|moment_text }}", when=WINTER) == "3 Dec 2026, 20:56 UTC-03"


@pytest.fixture
def discussed():
    review = make_review()
    comment = make_comment(question=review.questions.first(), created_at=WINTER)
    return review, comment


def test_each_reader_sees_comment_times_in_their_own_zone_from_the_shared_cache(client, discussed):
    review, comment = discussed
    url = f"/reviews/{review.slug}/questions/1/"
    readers = {
        "Toronto": (make_user(), "3 Dec 2026, 18:56 EST", "2026-12-03T18:56:00-05:00"),
        "Vancouver": (
            make_user(time_zone="America/Vancouver"), "3 Dec 2026, 15:56 PST",
            "2026-12-03T15:56:00-08:00",
        ),
        "London": (
            make_user(time_zone="Europe/London"), "3 Dec 2026, 23:56 GMT",
            "2026-12-03T23:56:00+00:00",
        ),
    }  # fmt: skip
    for _ in range(2):  # the second round reads every card and conversation from the cache
        for member, shown, machine in readers.values():
            client.force_login(member)
            assert card_times(client.get(url).content.decode()) == [
                f'<time datetime="{machine}">{shown}</time>'
            ]
            # The review page shows the same conversation through the same cache.
            page = client.get(review.get_absolute_url()).content.decode()
            assert card_times(page) == [f'<time datetime="{machine}">{shown}</time>']
    client.logout()
    # The zone of the last member does not carry over to the next reader.
    assert card_times(client.get(url).content.decode()) == [
        '<time datetime="2026-12-03T18:56:00-05:00">3 Dec 2026, 18:56 EST</time>'
    ]


def test_an_unknown_stored_zone_falls_back_to_the_site_zone(client, discussed):
    review, comment = discussed
    member = make_user()
    type(member).objects.filter(pk=member.pk).update(time_zone="Mars/Olympus_Mons")
    client.force_login(member)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert card_times(response.content.decode()) == [
        '<time datetime="2026-12-03T18:56:00-05:00">3 Dec 2026, 18:56 EST</time>'
    ]


def test_the_edit_deadline_shows_the_members_zone(client):
    member = make_user(time_zone="America/Vancouver")
    comment = make_comment(author=member)
    client.force_login(member)
    page = client.get(f"/comments/{comment.pk}/edit/").content.decode()
    deadline = comment.edit_deadline.astimezone(ZoneInfo("America/Vancouver"))
    assert (
        f'You can edit until <time datetime="{deadline.isoformat(timespec="seconds")}">'
        f"{deadline:%H:%M} {deadline.tzname()}</time>."
    ) in page
    assert deadline.tzname() in ("PST", "PDT")


def test_queue_log_and_member_page_show_labelled_times_in_the_moderators_zone(client):
    moderator = make_moderator(time_zone="America/Halifax")  # 19:56 AST in December
    member = make_user()
    comment = make_comment(author=member, created_at=WINTER)
    flagger = make_user()
    flag_comment(comment, by=flagger, reason="spam", site_url="http://testserver")
    comment.flags.update(created_at=WINTER)
    make_comment(author=member).hide(by=moderator, reason="spam")
    ModerationAction.objects.update(created_at=WINTER)
    client.force_login(moderator)
    expected = '<time datetime="2026-12-03T19:56:00-04:00">3 Dec 2026, 19:56 AST</time>'
    queue = client.get("/moderation/").content.decode()
    assert f"from {flagger.public_name}, {expected}" in queue
    log = client.get("/moderation/log/").content.decode()
    assert f">{expected}</td>" in log
    member_page = client.get(f"/moderation/members/{member.pk}/").content.decode()
    assert f'<a href="/comments/{comment.pk}/">{expected}</a>' in member_page


def test_a_suspended_member_is_told_until_when_in_their_zone(client):
    member = make_user(time_zone="America/Vancouver")
    member.suspended_at = timezone.now()
    member.suspended_until = datetime(2099, 1, 1, 5, 0, tzinfo=UTC)  # midnight in Toronto
    member.suspension_reason = "Spam"
    member.save()
    client.force_login(member)
    review = make_review()
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Your account is suspended until 31 Dec 2098, 21:00 PST: Spam" in page


def test_reply_and_follow_emails_give_the_time_in_the_recipients_zone(client, mailoutbox):
    review = make_review(title="Evidence in practice")
    question = review.questions.first()
    parent = make_comment(question=question, author=make_user(time_zone="Europe/London"))
    follower = make_user(time_zone="Asia/Tokyo")
    QuestionFollow.objects.create(question=question, member=follower)
    client.force_login(make_user(display_name="Replier"))
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": question.pk, "parent": parent.pk, "body": "A reply."},
    )
    reply = Comment.objects.get(body="A reply.")
    Comment.objects.filter(pk=reply.pk).update(created_at=WINTER)
    run_tasks()
    by_recipient = {email.to[0]: email for email in mailoutbox}
    assert "(3 Dec 2026, 23:56 GMT)" in by_recipient[parent.author.email].body
    assert "(4 Dec 2026, 08:56 JST)" in by_recipient[follower.email].body


def test_moderators_hear_when_a_comment_was_hidden_in_their_zone(mailoutbox, settings):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 1
    moderator = make_moderator(time_zone="America/Winnipeg", email="mod@example.org")
    comment = make_comment()
    flag_comment(comment, by=make_user(), reason="spam", site_url="http://testserver")
    Comment.objects.filter(pk=comment.pk).update(hidden_at=WINTER)
    run_tasks()
    (email,) = [email for email in mailoutbox if email.to == [moderator.email]]
    assert "was hidden on 3 Dec 2026, 17:56 CST, until a moderator reviews it" in email.body


def test_exports_keep_iso_8601_with_the_offset(client):
    editor = make_user(editor=True)
    review = make_review()
    make_comment(question=review.questions.first(), created_at=WINTER)
    client.force_login(editor)
    rows = client.get(f"/reviews/{review.slug}/export.csv").content.decode("utf-8-sig")
    assert ",2026-12-03T18:56:00-05:00," in rows


def test_a_scheduled_reviews_preview_says_when_it_comes_out_with_the_zone(client):
    coming = datetime(2099, 7, 3, 22, 56, tzinfo=UTC)
    review = make_review(published_at=coming)
    client.force_login(make_user(editor=True))
    page = client.get(review.get_absolute_url()).content.decode()
    assert (
        'This review is scheduled for <time datetime="2099-07-03T18:56:00-04:00">'
        "3 Jul 2099, 18:56 EDT</time> and is not yet visible to readers."
    ) in page


def test_the_admin_names_versions_and_log_entries_with_labelled_times():
    comment = make_comment()
    revision = CommentRevision.objects.create(
        comment=comment, body="Before.", written_at=datetime(2026, 12, 3, 23, 56, tzinfo=UTC)
    )
    assert str(revision) == f"Version of comment {comment.pk} from 3 Dec 2026, 18:56 EST"
    entry = ModerationAction.record(ModerationAction.Action.HIDE, actor=None, comment=comment)
    entry.created_at = datetime(2026, 7, 3, 22, 56, tzinfo=UTC)
    assert str(entry).endswith("(3 Jul 2026, 18:56 EDT)")
