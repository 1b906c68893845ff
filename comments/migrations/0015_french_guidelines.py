"""The community guidelines in French: a second flat page, at /fr/guidelines/, that French pages
show in place of the English one (journalclub.views.guidelines). Same structure as the English
page of 0010_community_guidelines, written for French-speaking members (Canadian usage);
editors change both in the admin."""

from django.conf import settings
from django.db import migrations

URL = "/fr/guidelines/"
TITLE = "Lignes directrices de la communauté"

# Written with ordinary spaces before « : ; ? ! » and inside « »; french_typography() puts in
# the no-break ones, so the text stays readable here.
GUIDELINES = """\
Journal Club est un lieu où les courtiers de connaissances discutent ensemble de la recherche. \
Ces lignes directrices gardent la discussion utile et accueillante. Les modérateurs les \
appliquent ; ce sont des membres de la communauté qui y consacrent bénévolement leur temps.

**Faites preuve de respect.** Critiquez les idées, pas les personnes. Aucune insulte, moquerie \
ni forme de harcèlement, et aucun propos qui rabaisse une personne pour ce qu’elle est.

**Restez dans le sujet.** Commentez la recension et la question à laquelle vous répondez. \
Faites part de ce que vous avez appris dans votre propre travail : c’est ce qui donne à la \
discussion son intérêt.

**Gardez les renseignements personnels hors de la discussion.** Ne publiez ni les \
coordonnées, ni les renseignements de santé, ni d’autres faits privés de qui que ce soit, y \
compris les vôtres, et ne nommez pas de personnes qui ne participent pas à la discussion.

**Pas de pourriel.** Aucune publicité, aucun message répété, aucun lien qui ne sert qu’à faire \
de la promotion.

**Comment fonctionne la modération.** Tout membre peut signaler un commentaire qui enfreint ces \
lignes directrices. Un modérateur examine chaque signalement : si le commentaire les enfreint, \
il est masqué et les autres lecteurs voient « Masqué par un modérateur » à sa place ; sinon, \
il reste affiché. Un commentaire signalé par plusieurs membres est masqué jusqu’à ce qu’un \
modérateur l’ait examiné. La personne qui l’a écrit apprend par courriel pourquoi il a été \
masqué, et celle qui l’a signalé est informée de la décision. Un membre qui enfreint les lignes \
directrices à répétition peut voir son compte suspendu pour un temps : la lecture reste \
possible, mais pas la publication.

**Comment contester une décision.** Si vous pensez qu’un modérateur s’est trompé, répondez au \
courriel qui vous a annoncé sa décision en expliquant pourquoi. Un autre modérateur réexaminera \
le cas et vous répondra.
"""

NBSP, NNBSP = "\u00a0", "\u202f"


def french_typography(text: str) -> str:
    for plain, typeset in [
        (" :", NBSP + ":"),
        ("« ", "«" + NBSP),
        (" »", NBSP + "»"),
        (" ;", NNBSP + ";"),
        (" ?", NNBSP + "?"),
        (" !", NNBSP + "!"),
    ]:
        text = text.replace(plain, typeset)
    return text


def create_french_guidelines(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )
    page, _ = FlatPage.objects.get_or_create(
        url=URL, defaults={"title": TITLE, "content": french_typography(GUIDELINES)}
    )
    page.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0014_verbose_names"),
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    # Backwards, the page stays: editors may have changed it since (as 0010 leaves its own).
    operations = [migrations.RunPython(create_french_guidelines, migrations.RunPython.noop)]
