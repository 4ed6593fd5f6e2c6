from django.db import models


class BenchNote(models.Model):
    """A table of the usual shape: a few columns, a foreign key, an index."""

    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="bench_note_created_idx")]

    def __str__(self) -> str:
        return self.title
