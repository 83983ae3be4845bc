"""The firm's staff and their rates in the admin.

The Staff page (/admin/practice/staff/) is where firm staff see their colleagues: each firm's
people with their role, today's rate and every rate. Rates are set on the staff rates pages through
`staff_rate_set`, as the API sets them: a firm ADMIN only, a rate on a day that has one replaces it,
and nothing logged is re-priced. Everyone else in the firm reads them. Rates are typed as money
("150.00") and shown as money.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from axiomatic.admin_site import AdminPage
from axiomatic.core.errors import ApplicationError, NotFoundError
from axiomatic.core.money import format_cents, format_money, parse_money
from axiomatic.entities.admin_scope import ScopedAdmin, staff_firms, staff_scope
from axiomatic.entities.models import User
from practice import selectors
from practice.admin.common import _refusal
from practice.models import StaffRate
from practice.services.staff import staff_rate_set


class StaffRateForm(forms.ModelForm):
    """A rate from a day on, saved by `staff_rate_set` in `clean()`; on an existing rate's page
    only the amount changes (the same day's rate, replaced)."""

    by = None  # the signed-in user, set by StaffRateAdmin.get_form
    rate = forms.CharField(
        label="Rate an hour",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "150.00"}),
    )

    class Meta:
        model = StaffRate
        fields = ("firm", "user", "effective_from")
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["rate"] = format_cents(self.instance.rate_cents)

    def clean_rate(self) -> int:
        try:
            return parse_money(self.cleaned_data["rate"])
        except ValueError:
            raise ValidationError("Enter an amount like 150.00.") from None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        rate = self.instance if self.instance.pk is not None else None
        firm = rate.firm if rate else cleaned["firm"]
        user = rate.user if rate else cleaned["user"]
        try:
            # The saved row becomes the form's instance: the admin shows and logs that row.
            self.instance = staff_rate_set(
                firm=firm,
                by=self.by,
                user_public_id=user.public_id,
                rate_cents=cleaned["rate"],
                effective_from=rate.effective_from if rate else cleaned["effective_from"],
            )
        except NotFoundError:
            raise ValidationError({"user": f"{user} is not a member of {firm}."}) from None
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


class FirmAdminWrites:
    """Mixed into a ScopedAdmin whose rows a firm ADMIN alone changes (rates, settings): the
    firm's other staff read them, writing only where they are an ADMIN; the firm a new row is for
    is one of those."""

    def administered_firm_ids(self, request) -> set[int]:
        cached = getattr(request, "_administered_firm_ids", None)
        if cached is None:
            cached = selectors.firm_ids_administered_by(request.user)
            request._administered_firm_ids = cached
        return cached

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            staff_scope(request) is None or bool(self.administered_firm_ids(request))
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if staff_scope(request) is None:
            return True
        administered = self.administered_firm_ids(request)
        return obj.firm_id in administered if obj is not None else bool(administered)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "firm" and field is not None and staff_scope(request) is not None:
            field.queryset = field.queryset.filter(pk__in=self.administered_firm_ids(request))
        return field


@admin.register(StaffRate)
class StaffRateAdmin(FirmAdminWrites, ScopedAdmin):
    """Each staff member's rates, newest last; `in effect` marks the one that applies today."""

    scope_firm = "firm"
    form = StaffRateForm
    list_display = ("user", "staff_name", "firm", "rate_shown", "effective_from", "in_effect")
    list_filter = ("firm", "user")
    list_select_related = ("user", "firm")
    search_fields = ("user__email", "user__full_name")
    ordering = ("firm", "user__email", "effective_from")

    def get_queryset(self, request):
        today = timezone.localdate()
        superseded = StaffRate.objects.filter(
            firm=OuterRef("firm"),
            user=OuterRef("user"),
            effective_from__gt=OuterRef("effective_from"),
            effective_from__lte=today,
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                in_effect_today=ExpressionWrapper(
                    Q(effective_from__lte=today) & ~Exists(superseded),
                    output_field=BooleanField(),
                )
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("firm", "user", "effective_from", "rate")
        return ("firm", "user", "effective_from", "rate", "created_by", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return ("firm", "user", "effective_from", "rate_shown", "created_by", "updated_at")
        return ("firm", "user", "effective_from", "created_by", "updated_at")

    def get_fieldsets(self, request, obj=None):
        fields = list(self.get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields[fields.index("rate")] = "rate_shown"
        return [(None, {"fields": fields})]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if staff_scope(request) is None or field is None:
            return field
        administered = self.administered_firm_ids(request)
        if db_field.name == "user":
            # Only the people of the firms they set rates for: never a list of every user.
            field.queryset = (
                User.objects.filter(memberships__entity_id__in=administered)
                .distinct()
                .order_by("email")
            )
        return field

    def save_model(self, request, obj, form, change):
        pass  # saved by staff_rate_set in the form's clean()

    @admin.display(description="Name", ordering="user__full_name")
    def staff_name(self, obj: StaffRate) -> str:
        return obj.user.full_name

    @admin.display(description="Rate an hour", ordering="rate_cents")
    def rate_shown(self, obj: StaffRate) -> str:
        return format_money(obj.rate_cents, obj.firm.currency)

    @admin.display(description="In effect today", boolean=True, ordering="in_effect_today")
    def in_effect(self, obj: StaffRate) -> bool:
        return bool(getattr(obj, "in_effect_today", False))


# -- the Staff page --------------------------------------------------------------------------------


def _rate_url(firm, user) -> str:
    return (
        f"{reverse('admin:practice_staffrate_add')}?{urlencode({'firm': firm.pk, 'user': user.pk})}"
    )


def staff_page(request):
    """Each of the user's firms with its people: role, today's rate, every rate (two queries a
    firm, whatever its size)."""
    today = timezone.localdate()
    administered = selectors.firm_ids_administered_by(request.user)
    sections = []
    for firm in staff_firms(request).order_by("name", "id"):
        memberships = selectors.staff_list(firm=firm).order_by("user__full_name", "user__email")
        people = []
        for membership in memberships:
            member = selectors.staff_member(membership, on=today)
            people.append(
                {
                    "name": member.user.full_name or member.user.email,
                    "email": member.user.email,
                    "role": membership.get_role_display(),
                    "rate": "—"
                    if member.rate_cents is None
                    else format_money(member.rate_cents, firm.currency),
                    "rates": [
                        (r.effective_from, format_money(r.rate_cents, firm.currency))
                        for r in member.rates
                    ],
                    "set_rate_url": _rate_url(firm, member.user)
                    if firm.pk in administered
                    else None,
                }
            )
        sections.append({"firm": firm, "people": people})
    context = {
        **admin.site.each_context(request),
        "title": "Staff",
        "sections": sections,
        "today": today,
        "rates_url": reverse("admin:practice_staffrate_changelist"),
    }
    return TemplateResponse(request, "admin/practice/staff.html", context)


def _may_view_staff(request) -> bool:
    model_admin = admin.site._registry.get(StaffRate)
    return bool(model_admin and model_admin.has_view_permission(request))


def register() -> None:
    admin.site.register_page(
        AdminPage(
            app_label="practice",
            slug="staff",
            name="Staff",
            view=staff_page,
            has_permission=_may_view_staff,
        )
    )
