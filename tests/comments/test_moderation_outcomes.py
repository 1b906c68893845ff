"""What a moderator's decision does and who hears of it: flags upheld or dismissed, the
emails to flaggers, authors and suspended members, suspension lengths, the community
guidelines, and the queue, flag form and log as moderators and members see them."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.flatpages.models import FlatPage
from django.utils import timezone

from comments.models import Comment, Flag, FlagOutcome, HideReason, ModerationAction
from comments.moderation import flag_comment
from tests.factories import make_comment, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

SECRET = "Words only the author and the moderators may read"


def make_moderator(name: str = "Mo Derator"):
    user = make_user(display_name=name)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def flagged_comment(*flaggers, author_email: str = ""):
    author = make_user(email=author_email) if author_email else make_user()
    comment = make_comment(body=SECRET, author=author)
    for flagger in flaggers:
        flag_comment(comment, by=flagger, reason="off_topic", site_url="http://testserver")
    return comment


def hide_from_queue(client, comment, **data):
    data = {"reason": "off_topic", "note": "", "next": "queue", **data}
    return client.post(f"/comments/{comment.pk}/hide/", data)


def mail_to(mailoutbox, address: str) -> list:
    return [message for message in mailoutbox if message.to == [address]]


# 1. Hide upholds the open flags; Dismiss rejects them


def test_hiding_a_flagged_comment_upholds_its_open_flags(client):
    flaggers = [make_user(), make_user()]
    comment = flagged_comment(*flaggers)
    moderator = make_moderator()
    client.force_login(moderator)
    response = hide_from_queue(client, comment)
    assert response.status_code == 302
    assert response["Location"] == "/moderation/"
    flags = list(Flag.objects.filter(comment=comment))
    assert [(f.outcome, f.resolved_by, f.resolved_at is not None) for f in flags] == [
        (FlagOutcome.UPHELD, moderator, True)
    ] * 2
    assert not Flag.objects.open().exists()
    # The queue no longer lists it among the flagged comments.
    page = client.get("/moderation/").content.decode()
    assert "Flagged comments (0)" in page


def test_dismissing_rejects_the_open_flags_and_leaves_the_comment_up(client):
    comment = flagged_comment(make_user())
    moderator = make_moderator()
    client.force_login(moderator)
    client.post(f"/comments/{comment.pk}/dismiss-flags/", {"note": "Fair point", "next": "queue"})
    flag = Flag.objects.get(comment=comment)
    assert (flag.outcome, flag.resolved_by) == (FlagOutcome.DISMISSED, moderator)
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_the_log_tells_flags_upheld_from_flags_dismissed(client):
    upheld = flagged_comment(make_user())
    dismissed = flagged_comment(make_user())
    client.force_login(make_moderator())
    hide_from_queue(client, upheld)
    client.post(f"/comments/{dismissed.pk}/dismiss-flags/", {"note": ""})
    entries = {
        (entry.action, entry.comment_id)
        for entry in ModerationAction.objects.filter(actor__isnull=False)
    }
    assert entries == {("hide", upheld.pk), ("uphold", upheld.pk), ("dismiss", dismissed.pk)}
    page = client.get("/moderation/log/").content.decode()
    assert page.count('<td data-label="What:">Flags upheld</td>') == 1
    assert page.count('<td data-label="What:">Flags dismissed</td>') == 1
    assert page.count('<td data-label="What:">Hidden</td>') == 1


def test_an_auto_hidden_comment_is_kept_hidden_or_shown_again_by_the_moderator(client, settings):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 1
    kept = flagged_comment(make_user())
    shown = flagged_comment(make_user())
    assert Comment.objects.get(pk=kept.pk).hidden_reason == HideReason.FLAGGED
    moderator = make_moderator()
    client.force_login(moderator)
    queue = client.get("/moderation/").content.decode()
    assert f'href="/comments/{kept.pk}/hide/?next=queue"' in queue  # "Hide" keeps it hidden
    hide_from_queue(client, Comment.objects.get(pk=kept.pk), reason="spam")
    client.post(f"/comments/{shown.pk}/dismiss-flags/", {"note": ""})
    kept.refresh_from_db()
    shown.refresh_from_db()
    assert (kept.hidden_reason, kept.hidden_by) == (HideReason.SPAM, moderator)
    assert Flag.objects.get(comment=kept).outcome == FlagOutcome.UPHELD
    assert not shown.is_hidden
    assert Flag.objects.get(comment=shown).outcome == FlagOutcome.DISMISSED


# 2. The flagger hears the outcome


def test_each_flagger_is_told_the_comment_was_hidden_without_its_text(client, mailoutbox):
    comment = flagged_comment(
        make_user(email="first@example.org"), make_user(email="second@example.org")
    )
    client.force_login(make_moderator())
    hide_from_queue(client, comment, note="Off the question")
    run_tasks()
    run_tasks()  # once per flag, however often the tasks run
    for address in ["first@example.org", "second@example.org"]:
        [email] = mail_to(mailoutbox, address)
        assert "A moderator hid the comment you flagged." in email.body
        assert comment.review.title in email.body
        assert SECRET not in email.body
        assert "Off the question" not in email.body
        assert "http://testserver/guidelines/" in email.body


def test_the_flagger_is_told_a_dismissed_flag_left_the_comment_up(client, mailoutbox):
    comment = flagged_comment(make_user(email="flagger@example.org"))
    client.force_login(make_moderator())
    client.post(f"/comments/{comment.pk}/dismiss-flags/", {"note": "Not abuse"})
    run_tasks()
    [email] = mail_to(mailoutbox, "flagger@example.org")
    assert "A moderator reviewed it and left it up" in email.body
    assert email.subject == "[Journal Club] The comment you flagged was reviewed"
    assert SECRET not in email.body
    assert mail_to(mailoutbox, comment.author.email) == []


# 3. The author of a hidden comment, and a suspended member, are told why


def test_the_author_is_told_the_reason_the_note_and_how_to_ask_for_review(
    client, mailoutbox, settings
):
    settings.MODERATION_CONTACT_EMAIL = "moderators@example.org"
    comment = flagged_comment(make_user())
    client.force_login(make_moderator())
    hide_from_queue(client, comment, note="Please keep to the question")
    run_tasks()
    [email] = mail_to(mailoutbox, comment.author.email)
    assert (
        email.subject == f"[Journal Club] A moderator hid your comment on “{comment.review.title}”"
    )
    assert "Reason: Off-topic" in email.body
    assert "off_topic" not in email.body
    assert "Moderator's note: Please keep to the question" in email.body
    assert SECRET in email.body  # the author may read their own text
    assert "http://testserver/guidelines/" in email.body
    assert "moderators@example.org" in email.body
    assert email.message()["Reply-To"] == "moderators@example.org"


def test_auto_hiding_does_not_email_the_author(settings, mailoutbox):
    settings.COMMENTS_AUTO_HIDE_FLAGS = 1
    comment = flagged_comment(make_user())
    assert Comment.objects.get(pk=comment.pk).is_hidden
    run_tasks()
    assert mail_to(mailoutbox, comment.author.email) == []


def test_a_suspended_member_is_told_until_when_and_why(client, mailoutbox):
    member = make_user(email="suspended@example.org", time_zone="UTC")
    client.force_login(make_moderator())
    client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "length": "7", "reason": "Repeated insults"},
    )
    run_tasks()
    [email] = mail_to(mailoutbox, "suspended@example.org")
    member.refresh_from_db()
    assert f"until {member.suspended_until:%-d %b %Y}" in email.body
    assert "Reason: Repeated insults" in email.body
    assert "http://testserver/guidelines/" in email.body


def test_an_indefinite_suspension_says_until_further_notice(client, mailoutbox):
    member = make_user(email="suspended@example.org")
    client.force_login(make_moderator())
    client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "length": "indefinite", "reason": "Spam"},
    )
    run_tasks()
    [email] = mail_to(mailoutbox, "suspended@example.org")
    assert "until further notice" in email.body
    assert "Reason: Spam" in email.body


# 4. Suspension lengths


@pytest.mark.parametrize("length, days", [("1", 1), ("7", 7), ("30", 30), ("indefinite", None)])
def test_suspension_presets(client, length, days):
    member = make_user()
    client.force_login(make_moderator())
    response = client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "length": length, "reason": "Spam"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended
    if days is None:
        assert member.suspended_until is None
    else:
        expected = timezone.now() + timedelta(days=days)
        assert abs(member.suspended_until - expected) < timedelta(minutes=1)


def test_the_suspension_form_offers_lengths_with_none_chosen(client):
    member = make_user()
    client.force_login(make_moderator())
    page = client.get(f"/moderation/members/{member.pk}/").content.decode()
    radios = re.findall(r'<input type="radio" name="length"[^>]*>', page)
    assert len(radios) == 5
    assert not any("checked" in radio for radio in radios)
    for label in ["1 day", "7 days", "30 days", "Until further notice", "Until a date"]:
        assert label in page


def test_a_suspension_without_a_length_is_refused_with_a_clear_message(client):
    member = make_user()
    client.force_login(make_moderator())
    response = client.post(
        f"/moderation/members/{member.pk}/", {"action": "suspend", "reason": "Spam"}
    )
    assert response.status_code == 400
    assert "Choose how long the suspension lasts." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_suspended


def test_until_a_date_needs_the_date(client):
    member = make_user()
    client.force_login(make_moderator())
    response = client.post(
        f"/moderation/members/{member.pk}/",
        {"action": "suspend", "length": "date", "until": "", "reason": "Spam"},
    )
    assert response.status_code == 400
    assert "Choose the date the suspension ends." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_suspended


# 5. The community guidelines


def test_the_guidelines_page_is_a_flat_page_in_the_site_layout(client):
    response = client.get("/guidelines/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Community guidelines</h1>" in page
    assert "<strong>Be respectful.</strong>" in page
    assert "How to ask for a review" in page
    assert 'class="skip-link"' in page  # the site's base template


def test_editors_markup_on_the_guidelines_page_goes_through_the_editorial_allowlist(client):
    page = FlatPage.objects.get(url="/guidelines/")
    page.content = 'Be kind.<script>alert(1)</script> <a href="javascript:alert(2)">x</a>'
    page.save()
    html = client.get("/guidelines/").content.decode()
    assert "Be kind." in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


def test_the_guidelines_are_linked_from_the_comment_form_the_flag_form_and_a_suspension(
    client,
):
    comment = make_comment()
    member = make_user()
    client.force_login(member)
    link = '<a href="/guidelines/">community guidelines</a>'
    assert link in client.get(comment.review.get_absolute_url()).content.decode()
    assert link in client.get(f"/comments/{comment.pk}/flag/").content.decode()
    member.suspended_at = timezone.now()
    member.suspension_reason = "Spam"
    member.save()
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Your account is suspended until further notice: Spam" in page
    assert link in page


# 6. The queue, the flag form and the log


def test_queue_cards_have_no_reply_edit_or_flag_links(client):
    comment = flagged_comment(make_user())
    own = make_comment()  # a moderator's own recent comment, still editable
    moderator = own.author
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert f'id="comment-{own.pk}"' in page
    assert f"/comments/{comment.pk}/flag/" not in page
    assert f"/comments/{comment.pk}/reply/" not in page
    assert f"/comments/{own.pk}/edit/" not in page
    assert f"/comments/{comment.pk}/hide/?next=queue" in page
    # On the discussion page the same member still flags it.
    review_page = client.get(comment.review.get_absolute_url()).content.decode()
    assert f"/comments/{comment.pk}/flag/" in review_page


def test_the_flag_form_has_no_reason_chosen_in_advance(client):
    comment = make_comment()
    client.force_login(make_user())
    page = client.get(f"/comments/{comment.pk}/flag/").content.decode()
    radios = re.findall(r'<input type="radio" name="reason"[^>]*>', page)
    assert len(radios) == 5
    assert not any("checked" in radio for radio in radios)


def test_a_flag_without_a_reason_is_refused_with_a_clear_message(client):
    comment = make_comment()
    client.force_login(make_user())
    response = client.post(f"/comments/{comment.pk}/flag/", {"note": "Rude"})
    assert response.status_code == 400
    assert "Choose what is wrong with this comment." in response.content.decode()
    assert not Flag.objects.exists()


def test_the_log_shows_reasons_as_people_say_them_on_a_wide_page(client):
    comment = make_comment()
    client.force_login(make_moderator())
    hide_from_queue(client, comment, reason="personal_information")
    page = client.get("/moderation/log/").content.decode()
    assert '<td data-label="Reason:">Personal information</td>' in page
    assert "personal_information" not in page
    assert 'class="page page--wide"' in page


def test_hiding_from_the_admin_upholds_the_flags_and_tells_flagger_and_author(client, mailoutbox):
    flagger = make_user(email="flagger@example.org")
    comment = flagged_comment(flagger, author_email="author@example.org")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    data = {"action": "hide_comments", "_selected_action": [comment.pk], "reason": "spam"}
    response = client.post("/admin/comments/comment/", data, follow=True)
    assert "Hid 1 comment." in response.content.decode()
    run_tasks()
    assert Flag.objects.get(comment=comment).outcome == FlagOutcome.UPHELD
    assert len(mail_to(mailoutbox, "flagger@example.org")) == 1
    assert len(mail_to(mailoutbox, "author@example.org")) == 1
