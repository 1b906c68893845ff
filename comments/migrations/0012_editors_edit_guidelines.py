from django.contrib.auth.management import create_permissions
from django.db import migrations

FLATPAGE_CODENAMES = ["add_flatpage", "change_flatpage", "view_flatpage"]


def let_editors_edit_guidelines(apps, schema_editor):
    # Permissions are normally created after all migrations; create the flatpages ones
    # now so the group can be given them in this same migration.
    flatpages_config = apps.get_app_config("flatpages")
    flatpages_config.models_module = True
    create_permissions(flatpages_config, apps=apps, verbosity=0)
    flatpages_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="flatpages", codename__in=FLATPAGE_CODENAMES
        )
    )


def stop_editors_editing_guidelines(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="flatpages", codename__in=FLATPAGE_CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_reviewers_follow_their_reviews"),
        ("flatpages", "0001_initial"),
        ("posts", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(let_editors_edit_guidelines, stop_editors_editing_guidelines)
    ]
