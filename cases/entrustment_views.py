"""Pages of entrusted tasks between courts (事项委托): court A's clerk entrusts from the case page, court B's
clerk accepts, reports, returns or releases from the task's page; both see the Art. 240 clocks."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkage.forms import CleanTextMixin, apply_service_errors
from linkage.statemachine import InvalidTransition
from members.models import Court
from members.roles import is_court_user
from members.scoping import get_visible_or_404

from . import entrustments, selectors
from .entrustment_models import ENTRUSTMENT_MACHINE, EntrustmentAction, ReturnGround


class EntrustForm(CleanTextMixin, forms.Form):
    court = forms.ModelChoiceField(label=gettext_lazy("Entrusted court"), queryset=Court.objects.none(),
                                   to_field_name="code")
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=EntrustmentAction.choices)
    subject = forms.CharField(label=gettext_lazy("What the court is to do"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("Which debtor, which property, account, plate or parcel."))
    ruling_file = forms.FileField(label=gettext_lazy("Ruling (PDF; drawn up by the portal if none)"),
                                  required=False, widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    auto_release = forms.BooleanField(label=gettext_lazy("The entrusted court agreed to release automatically "
                                                         "when this case ends"), required=False)


class AcceptForm(CleanTextMixin, forms.Form):
    number = forms.CharField(label=gettext_lazy("执协 case number of your court"), max_length=40)


class ReportForm(CleanTextMixin, forms.Form):
    detail = forms.CharField(label=gettext_lazy("What was done"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    partial = forms.BooleanField(label=gettext_lazy("Only part is done (the state of the work)"), required=False)


class ReturnForm(CleanTextMixin, forms.Form):
    ground = forms.ChoiceField(label=gettext_lazy("Ground"), choices=ReturnGround.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, required=False)


class WithdrawForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is withdrawn"), max_length=2000)


FORMS = {"accept": AcceptForm, "report": ReportForm, "return": ReturnForm, "withdraw": WithdrawForm}


@login_required
def entrust(request, pk):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.add_notice") or request.user.court_id != case.court_id:
        raise PermissionDenied
    form = EntrustForm(request.POST or None, request.FILES or None)
    form.fields["court"].queryset = Court.objects.exclude(pk=case.court_id).filter(parent__isnull=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = entrustments.entrust(actor=request.user, case=case, court=data["court"], action=data["action"],
                                        subject=data["subject"], ruling_file=data.get("ruling_file"),
                                        auto_release=data["auto_release"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Entrusted: letter %(number)s sent to %(court)s.")
                             % {"number": made.number, "court": data["court"].name})
            return redirect("cases:entrustment", pk=made.pk)
    return render(request, "cases/entrust.html", {"case": case, "form": form})


@login_required
def entrustment_list(request):
    if not is_court_user(request.user):
        raise Http404
    rows = list(entrustments.visible_to(request.user).order_by("-id")[:200])
    today = entrustments.local_today()
    return render(request, "cases/entrustment_list.html", {
        "rows": [(e, entrustments.clocks(e, today), e.court_id == request.user.court_id) for e in rows]})


@login_required
def entrustment_detail(request, pk):
    e = get_visible_or_404(entrustments.visible_to(request.user), pk=pk)
    received = e.court_id == request.user.court_id
    sent = e.case.court_id == request.user.court_id
    forms_ = {}
    if request.method == "POST":
        step = request.POST.get("step", "")
        form = FORMS[step](request.POST) if step in FORMS else None
        try:
            if step == "release":
                entrustments.confirm_release(actor=request.user, entrustment=e)
            elif form is None or not form.is_valid():
                raise ValidationError(_("Check the form."))
            elif step == "accept":
                entrustments.accept(actor=request.user, entrustment=e, **form.cleaned_data)
            elif step == "report":
                entrustments.report(actor=request.user, entrustment=e, **form.cleaned_data)
            elif step == "return":
                entrustments.return_task(actor=request.user, entrustment=e, **form.cleaned_data)
            elif step == "withdraw":
                entrustments.withdraw(actor=request.user, entrustment=e, **form.cleaned_data)
        except (ValidationError, InvalidTransition) as exc:
            if isinstance(exc, InvalidTransition):
                messages.error(request, exc.message)
            elif form is not None:
                apply_service_errors(form, exc)
                forms_[step] = form
            else:
                messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Done."))
            return redirect("cases:entrustment", pk=e.pk)
    allowed = set(ENTRUSTMENT_MACHINE.allowed(e.status))
    shown = {}
    if received and request.user.has_perm("cases.add_case"):
        for step in ("accept", "report", "return"):
            if step in allowed or (step == "report" and "report_partial" in allowed):
                shown[step] = forms_.get(step) or FORMS[step]()
    if sent and request.user.has_perm("cases.add_notice") and "withdraw" in allowed:
        shown["withdraw"] = forms_.get("withdraw") or WithdrawForm()
    may_release = (received and e.release_requested_at is not None and "release" in allowed
                   and request.user.has_perm("cases.add_notice"))
    return render(request, "cases/entrustment_detail.html", {
        "e": e, "received": received, "sent": sent, "forms": shown, "may_release": may_release,
        "clocks": entrustments.clocks(e), "held": entrustments.held_through(e),
        "events": [(ev, _event_label(ev.transition)) for ev in e.events.select_related("actor").order_by("at", "id")]})


def _event_label(name: str) -> str:
    if name == "send":
        return _("letter sent")
    move = ENTRUSTMENT_MACHINE.get(name)
    return str(move.label) if move else name
