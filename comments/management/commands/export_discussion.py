from django.core.management.base import BaseCommand, CommandError

from comments.export import FORMATS
from posts.models import Review


class Command(BaseCommand):
    help = (
        "Write a review's discussion to standard output as Markdown, CSV or JSON, as an "
        "anonymous reader sees it: hidden and deleted comments as placeholders without text."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The review's slug, as in /reviews/<slug>/.")
        parser.add_argument("--format", dest="fmt", choices=list(FORMATS), default="md")

    def handle(self, *args, slug: str, fmt: str, **options) -> None:
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review has the slug {slug!r}.")
        render, _ = FORMATS[fmt]
        self.stdout.write(render(review), ending="")
