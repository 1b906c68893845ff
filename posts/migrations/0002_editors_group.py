from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = ["series", "article", "contributor", "review", "keyfinding", "question"]
ACTIONS = ["add", "change", "delete", "view"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now so the
    # group can be given them in this same migration.
    posts_config = apps.get_app_config("posts")
    posts_config.models_module = True
    create_permissions(posts_config, apps=apps, verbosity=0)
    posts_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{action}_{model}" for model in EDITOR_MODELS for action in ACTIONS]
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label="posts", codename__in=codenames)
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
