"""Entities, the people who work in them, and the partner program.

An Entity is any business that keeps books with us: an accounting firm or one of its clients. Users
reach entities through Memberships (ADMIN, MEMBER, VIEWER). A firm is an entity with a
PartnerEnrollment; only an enrolled, active firm may use the practice API. Firm software calls the API
with an ApiKey that belongs to the firm: the key is shown once at creation and only its SHA-256 hash is
kept (the key carries 256 random bits, so a fast hash is enough; there is nothing to brute-force).
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from axiomatic.core.history import tracked_history
from axiomatic.core.models import PublicIdField, TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        # Why: logins are case-insensitive; addresses are stored lower-cased.
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = PublicIdField(prefix="usr")
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can log in to the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        # Why: logins are case-insensitive and the unique index is on the stored value.
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class EntityType(models.TextChoices):
    LLC = "llc", "LLC"
    CORP = "corp", "Corporation"
    S_CORP = "s_corp", "S corporation"
    PARTNERSHIP = "partnership", "Partnership"
    SOLE_PROP = "sole_prop", "Sole proprietorship"
    NONPROFIT = "nonprofit", "Nonprofit"
    OTHER = "other", "Other"


class Entity(TimeStampedModel):
    public_id = PublicIdField(prefix="ent")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=EntityType.choices, default=EntityType.OTHER)
    industry = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    is_active = models.BooleanField(default=True)

    history = tracked_history()

    class Meta:
        verbose_name_plural = "entities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="entity_currency_iso4217"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email(self) -> str:
        """Where billing mail for this entity goes (Stripe customers): its first admin's address."""
        address = (
            self.memberships.filter(role=Role.ADMIN)
            .order_by("id")
            .values_list("user__email", flat=True)
            .first()
        )
        return address or ""


class Role(models.TextChoices):
    ADMIN = "ADMIN", "Admin"
    MEMBER = "MEMBER", "Member"
    VIEWER = "VIEWER", "Viewer"


WRITE_ROLES = frozenset({Role.ADMIN, Role.MEMBER})


class Membership(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    history = tracked_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"], name="membership_user_entity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.entity} ({self.role})"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class PartnerEnrollment(TimeStampedModel):
    firm = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="enrollment")
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.firm} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class ApiKey(TimeStampedModel):
    PREFIX = "axk_"

    public_id = PublicIdField(prefix="key")
    firm = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The first characters of the key, kept so people can tell their keys apart in lists.
    display_prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Never the hash in history; last use is a clock stamped by reads, not a change.
    history = tracked_history(excluded_fields=("key_hash", "last_used_at"))

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"
