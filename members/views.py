from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from linkage.forms import CleanTextMixin

from .models import Capability, ChannelKind, LiaisonAssignment, Unit


def _units_with_details():
    return Unit.objects.active().prefetch_related(
        Prefetch("capabilities", queryset=Capability.objects.select_related("action")),
        Prefetch("liaison_assignments", queryset=LiaisonAssignment.objects.filter(ended_at__isnull=True)
                 .select_related("user"), to_attr="current_liaisons"),
    )


@login_required
@require_safe
def unit_directory(request):
    return render(request, "members/unit_directory.html", {"units": _units_with_details()})


@login_required
@require_safe
def unit_detail(request, code):
    unit = get_object_or_404(_units_with_details(), code=code)
    history = unit.liaison_assignments.select_related("user").order_by("-started_at")
    return render(request, "members/unit_detail.html", {"unit": unit, "history": history})


@login_required
def api_tokens(request):
    """The signed-in user's API tokens: when issued, last used and expiring; revoke one, or issue a fresh
    one (shown once; the earlier one is revoked)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from . import tokens

    if not tokens.uses_api(request.user):  # the court's and the conference's people: no such page
        raise Http404
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "issue":
            new_key = tokens.token_issue(request.user).key
        elif tokens.token_revoke(actor=request.user, ref=request.POST.get("ref", "")):
            messages.success(request, _("Token revoked."))
            return redirect("api-tokens")
        else:
            messages.error(request, _("No such token."))
    rows = []
    for token in tokens.tokens_of(request.user):
        problem = tokens.token_problem(token)
        issue = getattr(token, "issue", None) if problem != "unissued" else None
        rows.append({"token": token, "prefix": token.key[:6], "ref": tokens.token_ref(token), "issue": issue,
                     "problem": problem})
    return render(request, "members/api_tokens.html", {
        "rows": rows, "new_key": new_key, "lifetime_days": tokens.lifetime().days})


def demo_accounts() -> list[dict]:
    """The demo accounts (members.seeding.seed_demo) that exist, by role and unit, for the sign-in page of
    ``make demo`` (settings.DEMO); the court and conference accounts first, then one liaison per unit."""
    from django.utils.translation import gettext as _

    from .models import User

    court_roles = [("clerk", _("Court clerk")), ("president", _("Court president")), ("office", _("Conference office")),
                   ("convener", _("Convener")), ("assessor", _("Assessor")), ("leader-police", _("Unit leader")),
                   ("admin", _("Administration")),
                   # The demo's second county and the city's court above both (issue 30).
                   ("clerk-2", _("Court clerk")), ("president-2", _("Court president")),
                   ("office-2", _("Conference office")), ("convener-2", _("Convener")),
                   ("supervisor", _("Supervising court"))]
    users = {u.username: u for u in User.objects.filter(is_active=True).select_related("unit", "court")
             .filter(username__in=[name for name, _label in court_roles]
                     + [f"liaison-{code}" for code in Unit.objects.values_list("code", flat=True)])}
    rows = [{"username": name, "role": label,
             "unit": users[name].unit.name if users[name].unit else users[name].court.name}
            for name, label in court_roles if name in users]
    for unit in Unit.objects.active().order_by("court__code", "sort_order", "code"):
        user = users.get(f"liaison-{unit.code}")
        if user is not None:
            rows.append({"username": user.username, "role": _("Liaison officer"), "unit": unit.name})
    return rows


class LoginView(auth_views.LoginView):
    """Django's sign-in; in demo mode (``make demo``) the page lists the demo accounts to sign in with."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        # Where the top bar's "sign out" lands (its form's ``next``): the sign-in page says so.
        context["signed_out"] = self.request.GET.get("signed_out") == "1" and not self.request.user.is_authenticated
        if getattr(settings, "DEMO", False):
            context["demo_accounts"] = demo_accounts()
            from .seeding import DEMO_PASSWORD

            context["demo_password"] = DEMO_PASSWORD
        return context


class ChannelForm(CleanTextMixin, forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Member unit"), queryset=Unit.objects.filter(active=True),
                                  to_field_name="code")
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ChannelKind.choices)
    target = forms.CharField(label=gettext_lazy("Target"), max_length=500,
                             help_text=gettext_lazy("The robot's webhook address, a mobile number or an e-mail address."))
    secret = forms.CharField(label=gettext_lazy("Signing secret (DingTalk, optional)"), max_length=200, required=False,
                             widget=forms.PasswordInput(render_value=False))


@login_required
def channels_page(request):
    """The office's channels: each unit's robots, SMS and e-mail, whether they work, a test button, and a
    form to add one. Anyone else: 404, as for a page of another unit."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from linkage.forms import apply_service_errors

    from . import channels

    if not channels.may_manage(request.user):
        raise Http404
    form = ChannelForm(request.POST or None)
    form.fields["unit"].queryset = Unit.objects.active().of_court(request.user.court_id)
    if request.method == "POST":
        if request.POST.get("action") in ("test", "off", "on"):
            channel = get_object_or_404(channels.channels_for(request.user), pk=request.POST.get("channel") or 0)
            if request.POST["action"] == "test":
                message = channels.channel_test(actor=request.user, channel=channel)
                if message.status == "sent":
                    messages.success(request, _("Test message sent."))
                else:
                    messages.warning(request, _("The test message is queued; it has not been sent yet: %(error)s")
                                     % {"error": message.last_error or _("waiting for the sender")})
            else:
                channels.channel_set_active(actor=request.user, channel=channel, active=request.POST["action"] == "on")
                messages.success(request, _("Channel switched on.") if request.POST["action"] == "on"
                                 else _("Channel switched off."))
            return redirect("channels")
        if form.is_valid():
            try:
                channels.channel_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Channel added. Send a test message to see it arrive."))
                return redirect("channels")
    rows = list(channels.channels_for(request.user))
    for row in rows:
        row.shown_target = channels.masked_target(row)
        row.private = channels.private_target(row)
        row.last = row.last_messages[0] if row.last_messages else None
    return render(request, "members/channels.html", {
        "rows": rows, "form": form, "failing": [r for r in rows if r.active and r.failing]})


@login_required
def channel_messages_page(request, pk):
    """One channel's log: every message, when it was sent or why not."""
    from . import channels

    channel = get_object_or_404(channels.channels_for(request.user), pk=pk)
    log = list(channel.messages.order_by("-id")[:200])
    channel.shown_target = channels.masked_target(channel)
    return render(request, "members/channel_messages.html", {"channel": channel, "log": log})
