"""Share links: a time-limited URL that shows one statement to anyone who has it.

The URL carries a random token (tok_ + 32 random bytes); only its SHA-256 hash is stored, with the
report and its parameters, who made it, when it expires, how often it may be opened, and every access
(time, a hash of the client's IP, the user agent). Opening it counts atomically and redirects to a
short-lived signed URL that renders the report, so the token never appears in the rendered page's URL.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from axiomatic.core.models import PublicIdField


class ReportShare(models.Model):
    public_id = PublicIdField(prefix="shr")
    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    book = models.ForeignKey("ledger.Book", on_delete=models.CASCADE, related_name="+")
    report_type = models.CharField(max_length=30)
    date_from = models.DateField()
    date_to = models.DateField()
    # "", "previous_period" or "previous_year": the comparison column the report shows.
    compare = models.CharField(max_length=20, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    max_access_count = models.PositiveIntegerField(null=True, blank=True)
    access_count = models.PositiveIntegerField(default=0)
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_access_count__isnull=True)
                | Q(access_count__lte=models.F("max_access_count")),
                name="reportshare_access_within_limit",
            )
        ]
        indexes = [models.Index(fields=["entity", "id"], name="reportshare_entity")]

    def __str__(self) -> str:
        return f"{self.report_type} of {self.entity_id} until {self.expires_at:%Y-%m-%d}"


class ReportShareAccess(models.Model):
    """One open of a share link. The open grants a short-lived page URL signed with `grant`,
    which serves at most a few fetches (the page, its PDF, a reload): `views` counts them."""

    share = models.ForeignKey(ReportShare, on_delete=models.CASCADE, related_name="accesses")
    accessed_at = models.DateTimeField(auto_now_add=True)
    ip_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    grant = models.CharField(max_length=32, blank=True)
    views = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.share_id} at {self.accessed_at:%Y-%m-%d %H:%M}"


class ReportDocument(models.Model):
    """A PDF too long to render inside a request, rendered by a task and served by its share link."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being rendered"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    share = models.OneToOneField(ReportShare, on_delete=models.CASCADE, related_name="document")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    estimated_pages = models.PositiveIntegerField()
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.share_id}: {self.status}"
