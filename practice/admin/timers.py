"""Timers in the admin: a running-timer panel on the time entries page, and the firm's timers.

On the time entries list a staff member sees their own running timer (client, engagement,
description, when it started, how long it has run and what stopping it would log) with Stop and
Discard, or a small form to start one when none runs. Each button posts to a view of its own
(CSRF-checked by the admin) that calls the timer service with the timer's firm, exactly as the API
does: starting stops the running one, stopping makes the time entry through the time entry service
(its rate, lock date, history and event), and a refusal comes back as the service's message with
nothing changed. Only firms the user may write in are offered; another firm's timer is a 404.

The timers list shows every timer of the user's firms; writing staff may stop or discard running
ones there (a colleague's left running overnight), through the same service.
"""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from axiomatic.core.errors import ApplicationError
from axiomatic.core.forms import LongSelect
from axiomatic.core.money import hours_from_seconds
from axiomatic.entities.access import PARTNER_PROGRAM_REQUIRED_MESSAGE
from axiomatic.entities.admin_scope import READ_ONLY_ROLE, ScopedAdmin, refusal_text, staff_scope
from practice import selectors
from practice.admin.common import _run_action
from practice.models import ClientLink, Engagement, EngagementStatus, Timer, TimerStatus
from practice.services.timers import timer_discard, timer_start, timer_stop


def elapsed_text(seconds: int) -> str:
    """How long a timer ran, for a person: "under a minute", "12 min", "2 h 05 min"."""
    minutes = seconds // 60
    if minutes == 0:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class _ClientChoice(forms.ModelChoiceField):
    def label_from_instance(self, link: ClientLink) -> str:
        return link.client.name if self.single_firm else f"{link.client.name} ({link.firm.name})"


class _EngagementChoice(forms.ModelChoiceField):
    def label_from_instance(self, engagement: Engagement) -> str:
        return f"{engagement.client.name}: {engagement.name}"


class TimerStartForm(forms.Form):
    """What starting a timer asks for; the service checks the rest (an engagement of the client)."""

    client = _ClientChoice(
        queryset=ClientLink.objects.none(), empty_label="Choose a client", widget=LongSelect
    )
    engagement = _EngagementChoice(
        queryset=Engagement.objects.none(),
        required=False,
        empty_label="No engagement",
        widget=LongSelect,
    )
    description = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What are you working on?", "size": 40}),
    )

    def __init__(self, *args, firm_ids, **kwargs):
        kwargs.setdefault("auto_id", "timer_%s")  # ids apart from the changelist's own
        super().__init__(*args, **kwargs)
        links = ClientLink.objects.filter(archived_at__isnull=True).select_related("client", "firm")
        engagements = Engagement.objects.filter(status=EngagementStatus.ACTIVE)
        if firm_ids is not None:
            links = links.filter(firm_id__in=firm_ids)
            engagements = engagements.filter(firm_id__in=firm_ids)
        # Only what the labels show: a firm's 500 clients and 2,000 engagements are listed here.
        self.fields["client"].queryset = links.only(
            "firm__name", "client__name", "archived_at"
        ).order_by("client__name", "id")
        self.fields["client"].single_firm = firm_ids is not None and len(firm_ids) == 1
        self.fields["engagement"].queryset = (
            engagements.select_related("client")
            .only("name", "firm_id", "client__name")
            .order_by("client__name", "name", "id")
        )


class TimerPanelMixin:
    """Mixed into the time entries' ModelAdmin: the running-timer panel above its list and the
    three POST views behind its buttons."""

    def _timer_url_name(self, action: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_timer_{action}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("timer/start/", wrap(self.timer_start_view), name=self._timer_url_name("start")),
            path(
                "timer/<str:timer_id>/stop/",
                wrap(self.timer_stop_view),
                name=self._timer_url_name("stop"),
            ),
            path(
                "timer/<str:timer_id>/discard/",
                wrap(self.timer_discard_view),
                name=self._timer_url_name("discard"),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "timer_panel": self.timer_panel(request)}
        return super().changelist_view(request, context)

    # -- what the panel shows ---------------------------------------------------------------------
    @staticmethod
    def _writable_firm_ids(request) -> frozenset[int] | None:
        """The firms this user may time work for (None: any, a superuser)."""
        scope = staff_scope(request)
        return None if scope is None else scope.writable_firm_ids

    def timer_panel(self, request) -> dict:
        firm_ids = self._writable_firm_ids(request)
        timer = selectors.timer_running_of(user=request.user)
        if timer is None:
            may_start = firm_ids is None or bool(firm_ids)
            return {
                "timer": None,
                "start_form": TimerStartForm(firm_ids=firm_ids) if may_start else None,
                "start_url": reverse(f"admin:{self._timer_url_name('start')}"),
            }
        seconds = selectors.timer_elapsed_seconds(timer)
        return {
            "timer": timer,
            "elapsed": elapsed_text(seconds),
            "would_log": hours_from_seconds(seconds),
            "may_stop": firm_ids is None or timer.firm_id in firm_ids,
            "stop_url": reverse(f"admin:{self._timer_url_name('stop')}", args=[timer.public_id]),
            "discard_url": reverse(
                f"admin:{self._timer_url_name('discard')}", args=[timer.public_id]
            ),
        }

    # -- the buttons ------------------------------------------------------------------------------
    def _back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    def timer_start_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        firm_ids = self._writable_firm_ids(request)
        if firm_ids is not None and not firm_ids:  # a VIEWER, or a suspended firm's staff
            suspended = staff_scope(request).suspended_firm_ids
            refusal = PARTNER_PROGRAM_REQUIRED_MESSAGE if suspended else READ_ONLY_ROLE
            self.message_user(request, refusal, messages.ERROR)
            return self._back()
        form = TimerStartForm(request.POST, firm_ids=firm_ids)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
            self.message_user(request, f"No timer started: {problems}", messages.ERROR)
            return self._back()
        link, engagement = form.cleaned_data["client"], form.cleaned_data["engagement"]
        try:
            started = timer_start(
                firm=link.firm,
                link=link,
                default_user=request.user,
                engagement_id=engagement.public_id if engagement else None,
                description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
            return self._back()
        if started.entry is not None:
            self.message_user(request, self._logged(started.stopped, started.entry))
        self.message_user(request, f"Started a timer on {link.client.name}.", messages.SUCCESS)
        return self._back()

    def _own_timer(self, request, timer_id: str) -> Timer:
        """The signed-in user's timer `timer_id` in a firm they reach; a 404 otherwise."""
        timers = Timer.objects.filter(public_id=timer_id, user=request.user)
        scope = staff_scope(request)
        if scope is not None:
            timers = timers.filter(firm_id__in=scope.firm_ids)
        timer = timers.select_related("firm", "client").first()
        if timer is None:
            raise Http404("No such timer.")
        return timer

    def _timer_action(self, request, timer_id: str, act) -> HttpResponseRedirect:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        timer = self._own_timer(request, timer_id)
        firm_ids = self._writable_firm_ids(request)
        if firm_ids is not None and timer.firm_id not in firm_ids:
            refusal = self.write_refusal(request, Timer.objects.filter(pk=timer.pk))
            self.message_user(request, refusal, messages.ERROR)
            return self._back()
        try:
            done = act(timer)
        except ApplicationError as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self._back()

    def timer_stop_view(self, request, timer_id: str):
        def stop(timer: Timer) -> str:
            stopped = timer_stop(firm=timer.firm, public_id=timer.public_id)
            return self._logged(stopped.timer, stopped.entry)

        return self._timer_action(request, timer_id, stop)

    def timer_discard_view(self, request, timer_id: str):
        def discard(timer: Timer) -> str:
            timer_discard(firm=timer.firm, public_id=timer.public_id)
            return f"Discarded your timer on {timer.client.name}: no time was logged."

        return self._timer_action(request, timer_id, discard)

    @staticmethod
    def _logged(timer: Timer, entry) -> str:
        return (
            f"Stopped your timer on {timer.client.name}: logged {entry.hours} h "
            f"on {entry.date:%Y-%m-%d}."
        )


@admin.register(Timer)
class TimerAdmin(ScopedAdmin):
    """Every timer of the firm: running, stopped (with the entry it made) and discarded. Timers
    are started from the time entries page or the API; here writing staff may stop or discard."""

    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "user",
        "client",
        "engagement",
        "description",
        "status",
        "started_at",
        "elapsed",
        "time_entry",
    )
    list_filter = ("status", "client", "user")
    list_select_related = ("user", "client", "engagement", "time_entry")
    search_fields = ("description", "client__name", "user__email", "public_id")
    date_hierarchy = "started_at"
    actions = ("stop", "discard")

    def has_add_permission(self, request):
        return False  # a timer starts now, for its user: the time entries page or the API

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False  # a timer's page is read-only: it changes only by stopping or discarding
        return super().has_change_permission(request, obj)  # the list's actions

    @admin.display(description="Elapsed")
    def elapsed(self, timer: Timer) -> str:
        return elapsed_text(selectors.timer_elapsed_seconds(timer))

    @admin.action(description="Stop selected timers (log their time)", permissions=["change"])
    def stop(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(status=TimerStatus.RUNNING).select_related("firm"),
            lambda timer: timer_stop(firm=timer.firm, public_id=timer.public_id),
            "Stopped {count} timer(s) and logged their time.",
        )

    @admin.action(description="Discard selected timers (log nothing)", permissions=["change"])
    def discard(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(status=TimerStatus.RUNNING).select_related("firm"),
            lambda timer: timer_discard(firm=timer.firm, public_id=timer.public_id),
            "Discarded {count} timer(s).",
        )
