"""The site the sites framework names (SITE_ID), and on it the community guidelines: a flat
page editors change in the admin, written in Markdown like every editorial text."""

from django.conf import settings
from django.db import migrations

GUIDELINES = """\
Journal Club is a place for knowledge brokers to discuss research together. These guidelines \
keep the discussion useful and welcoming. Moderators apply them; they are members of the \
community who volunteer their time.

**Be respectful.** Disagree with ideas, not with people. No insults, mockery, harassment or \
language that demeans anyone for who they are.

**Stay on topic.** Comment on the review and the question you are answering. Share what you \
know from your own work: that is what makes the discussion worth reading.

**Keep personal information out.** Do not post anyone's contact details, health information or \
other private facts, your own included, and do not name people who are not part of the \
discussion.

**No spam.** No advertising, repeated posts or links that serve only to promote.

**How moderation works.** Any member can flag a comment that breaks these guidelines. A \
moderator reviews each flag: if the comment breaks them, it is hidden and others see \
"Hidden by a moderator" in its place; otherwise it stays up. A comment that several members \
flag is hidden until a moderator has reviewed it. The author of a hidden comment is told why \
by email, and the member who flagged it hears the outcome. A member who keeps breaking the \
guidelines may be suspended for a time: they can still read, but not post.

**How to ask for a review.** If you think a moderator got it wrong, reply to the email that \
told you of the decision and explain why. Another moderator will look again and answer you.
"""


def create_site_and_guidelines(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _ = Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )
    page, created = FlatPage.objects.get_or_create(
        url="/guidelines/", defaults={"title": "Community guidelines", "content": GUIDELINES}
    )
    page.sites.add(site)
    # Sign-in apps (ORCID) added in the admin are kept for this site: with the sites
    # framework installed, allauth only offers an app linked to the current site. A
    # database made before then has no table for that link yet.
    SocialApp = apps.get_model("socialaccount", "SocialApp")
    links = SocialApp.sites.through
    if links._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(links)
    for app in SocialApp.objects.all():
        app.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0009_flag_outcome"),
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(create_site_and_guidelines, migrations.RunPython.noop)]
