from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from linkage.forms import CleanTextMixin
from members.models import ActionType, Unit

from .deadlines import parse_due
from .models import (
    AnswerOutcome,
    AssetKind,
    Attachment,
    CaseOutcome,
    KeyCategory,
    MeasurePriority,
    Party,
    PartyKind,
    PartyRole,
    PaymentWay,
    SearchResult,
)


class CaseForm(CleanTextMixin, forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "（2026）鄂1022执123号"}))
    filed_on = forms.DateField(label=_("Filed on (立案, in the court's case system)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Empty: today. The rules' clocks count from it (终本: three months)."))
    preservation_case = forms.ModelChoiceField(
        label=_("Preservation case of the same matter (执保), whose measures this case takes over"),
        queryset=None, required=False, empty_label="—")
    title = forms.CharField(label=_("Title"), max_length=200)
    basis_issuer = forms.CharField(label=_("Basis of enforcement: issued by"), max_length=100, required=False,
                                   widget=forms.TextInput(attrs={"placeholder": "湖北省公安县人民法院"}))
    basis_number = forms.CharField(label=_("Basis of enforcement: document"), max_length=60, required=False,
                                   widget=forms.TextInput(attrs={"placeholder": "（2026）鄂1022民初456号民事判决书"}))
    basis_date = forms.DateField(label=_("Basis of enforcement: date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount owed (yuan)"), max_digits=15, decimal_places=2, min_value=0)
    categories = forms.MultipleChoiceField(label=_("Key-case categories"), choices=KeyCategory.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    listed_supervision = forms.BooleanField(label=_("Listed supervision (挂牌督办)"), required=False)
    responsible_leader = forms.CharField(label=_("Responsible leader (领导包案)"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        from .selectors import preservations_to_take_over

        super().__init__(*args, **kwargs)
        self.fields["preservation_case"].queryset = preservations_to_take_over()
        self.fields["preservation_case"].label_from_instance = lambda c: f"{c.number} {c.title}"


class PartyForm(CleanTextMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    id_number = forms.CharField(label=_("Resident ID / credit code"), max_length=40, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60, required=False)


# Two rows to start (applicant, debtor) and one blank; the "Add a party" / "Remove" buttons (static/js
# portal.js) add and take away rows, up to ten.
PartyFormSet = forms.formset_factory(PartyForm, extra=1, max_num=10)


class IssueForm(CleanTextMixin, forms.Form):
    action = forms.ModelChoiceField(label=_("Action"), queryset=ActionType.objects.all(), to_field_name="code")
    units = forms.ModelMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, to_field_name="code")
    subject = forms.CharField(label=_("Subject: debtor, asset, account or plate"), widget=forms.Textarea(
        attrs={"rows": 3}))
    due_at = forms.CharField(label=_("Answer by (optional; default per action)"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    party = forms.ModelChoiceField(label=_("Judgment debtor concerned"), queryset=Party.objects.none(),
                                   required=False, empty_label=_("All debtors of the case"))
    existing_ruling = forms.ModelChoiceField(label=_("A ruling of the case"), queryset=Attachment.objects.none(),
                                             required=False, empty_label="—")
    # What the unit acts on, in fields of their own: the account is printed in full for the target unit
    # only, while an identifier typed into the subject is masked for every reader (cases.disclosure).
    asset_kind = forms.ChoiceField(label=_("Asset kind"), choices=[("", "—"), *AssetKind.choices], required=False)
    account = forms.CharField(label=_("Account, plate or parcel number"), max_length=100, required=False)
    amount = forms.DecimalField(label=_("Amount to freeze or deduct (yuan)"), required=False, max_digits=15,
                                decimal_places=2, min_value=0)
    ruling = forms.FileField(label=_("or upload the enforcement ruling (PDF)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, action=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.active().asked_by_clerks()
        if case is not None:
            units = units.of_court(case.court_id)
        if action is not None:
            units = units.filter(capabilities__action=action)
        self.fields["units"].queryset = units.order_by("sort_order")
        if case is not None:
            debtors = case.parties.filter(role="debtor").order_by("id")
            self.fields["party"].queryset = debtors
            self.fields["party"].label_from_instance = lambda p: p.name
            if len(debtors) == 1:
                self.fields["party"].empty_label = None
            self.fields["existing_ruling"].queryset = (case.attachments.filter(purpose="ruling")
                                                       .select_related("case").order_by("ruling_seq", "id"))
            self.fields["existing_ruling"].label_from_instance = lambda r: r.ruling_label

    def clean_due_at(self):
        value = self.cleaned_data.get("due_at")
        if not value:
            return None
        return parse_due(value)


class AnswerForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Result"), choices=AnswerOutcome.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    result_amount = forms.DecimalField(label=_("Amount (yuan), e.g. frozen"), required=False, max_digits=15,
                                       decimal_places=2, min_value=0)
    attachment = forms.FileField(label=_("Attachment (PDF, optional)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    # For a measure action: what was taken, for the measures register.
    asset = forms.CharField(label=_("Asset taken (account, plate, parcel…)"), max_length=300, required=False)
    asset_kind = forms.ChoiceField(label=_("Asset kind"), choices=[("", "—"), *AssetKind.choices], required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", "—"), *MeasurePriority.choices],
                                 required=False)
    queue_position = forms.IntegerField(label=_("Place in the waiting queue"), min_value=1, max_value=999,
                                        required=False)
    effective_on = forms.DateField(label=_("Took effect on (default: the day the notice was served)"),
                                   required=False, widget=forms.DateInput(attrs={"type": "date"}))

    MEASURE_FIELDS = ("asset", "asset_kind", "priority", "queue_position", "effective_on")

    def __init__(self, *args, measure_fields=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not measure_fields:
            for name in self.MEASURE_FIELDS:
                del self.fields[name]

    def measure(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.MEASURE_FIELDS if name in self.fields}


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices, widget=forms.RadioSelect)
    ground = forms.ChoiceField(label=_("Ground (a termination, a preservation lifted)"), required=False)
    confirm = forms.MultipleChoiceField(label=_("Conditions I confirm (终本)"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
    ruling_file = forms.FileField(
        label=_("The ruling (PDF); empty: the portal draws it up from its template, numbered and sealed"),
        required=False, widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, case=None, conditions=(), **kwargs):
        from .lifecycle import PreservationLiftGround, TerminationGround, endings_for

        super().__init__(*args, **kwargs)
        if case is not None:
            allowed = set(endings_for(case.case_type))
            self.fields["outcome"].choices = [(v, label) for v, label in CaseOutcome.choices if v in allowed]
            grounds = []
            if CaseOutcome.TERMINATED in allowed:
                grounds += [(v, label) for v, label in TerminationGround.choices]
            if CaseOutcome.PRESERVATION_LIFTED in allowed:
                grounds += [(v, label) for v, label in PreservationLiftGround.choices]
            self.fields["ground"].choices = [("", "—"), *grounds]
        self.fields["confirm"].choices = [(c.code, c.text) for c in conditions if c.confirmable]


class SuspendForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect, choices=[
        ("suspension", _("Suspension (中止执行, 民事诉讼法 Art. 267)")),
        ("deferral", _("Deferral (暂缓执行, Art. 242)"))])
    ground = forms.ChoiceField(label=_("Ground"))
    until = forms.DateField(label=_("Deferred until (a deferral: at most 1 year with security, 3 months otherwise)"),
                            required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    ruling_file = forms.FileField(
        label=_("The ruling or decision (PDF); empty: the portal draws it up"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, **kwargs):
        from .lifecycle import GROUNDS_BY_KIND, SuspensionGround, SuspensionKind

        super().__init__(*args, **kwargs)
        wanted = GROUNDS_BY_KIND[SuspensionKind.SUSPENSION] | GROUNDS_BY_KIND[SuspensionKind.DEFERRAL]
        self.fields["ground"].choices = [(v, label) for v, label in SuspensionGround.choices if v in wanted]


class ProceedForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("Why enforcement proceeds"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SettlementForm(CleanTextMixin, forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    terms = forms.CharField(label=_("Terms agreed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    release_measures = forms.ModelMultipleChoiceField(
        label=_("Measures the agreement releases (the others stay)"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case=None, **kwargs):
        from .models import Measure

        super().__init__(*args, **kwargs)
        qs = Measure.objects.none() if case is None else (
            Measure.objects.filter(case=case, status="active", release_notice__isnull=True)
            .select_related("unit", "action").order_by("unit__sort_order", "id"))
        self.fields["release_measures"].queryset = qs
        self.fields["release_measures"].label_from_instance = (
            lambda m: f"{m.unit.name} · {m.action.name} · {m.asset}")


class InstalmentForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, max_digits=15, decimal_places=2,
                                min_value=Decimal("0.01"))


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=3, max_num=60)


class PaymentForm(CleanTextMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    way = forms.ChoiceField(label=_("How"), choices=PaymentWay.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PropertySearchForm(CleanTextMixin, forms.Form):
    searched_on = forms.DateField(label=_("Searched on"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=SearchResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("What was searched and found"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(CleanTextMixin, forms.Form):
    number = forms.CharField(label=_("New case number (执恢)"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "（2027）鄂1022执恢1号"}))


class ReturnForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("What must be corrected"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _release_ground_choices():
    from .measures import release_ground_choices

    return [("", "—"), *release_ground_choices()]


class MeasureReleaseForm(CleanTextMixin, forms.Form):
    """Release one measure alone: the ground (查封扣押冻结规定 Art. 28) and the release ruling (PDF)."""

    ground = forms.ChoiceField(label=_("Ground of release"), choices=_release_ground_choices,
                               error_messages={"required": _("Choose the ground of the release.")})
    ruling = forms.FileField(label=_("Release ruling (PDF); empty: the portal draws it up"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    amount = forms.DecimalField(label=_("Release only this amount (yuan); empty: all of it"), required=False,
                                max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, measure_id=None, **kwargs):
        # One form per row of a table: ids unique on the page, so that each label names its own field.
        kwargs.setdefault("auto_id", f"id_release_{measure_id}_%s" if measure_id else "id_release_%s")
        super().__init__(*args, **kwargs)


class MeasureTakeEffectForm(CleanTextMixin, forms.Form):
    """A waiting seizure takes effect: the day the earlier measure was gone."""

    effective_on = forms.DateField(label=_("Took effect on"), widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": _("Say on which day the measure took effect.")})
