from django.db import models


class ContentVersion(models.Model):
    """How many times one kind of content has changed ("site", "discussions", one review's
    or one question's discussion). Renewed in the transaction that changes the content, so
    a cached page keyed by these numbers can never outlive what it shows, whatever happens
    to the cache (journalclub.page_cache)."""

    name = models.CharField(max_length=300, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
