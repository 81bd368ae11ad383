from django import forms
from django.core.exceptions import ValidationError
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
)


class CaseForm(CleanTextMixin, forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "（2026）鄂1022执123号"}))
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
        units = Unit.objects.active().exclude(code="court")
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
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
    ruling_file = forms.FileField(label=_("Release ruling (PDF), named on every release notice"), required=False,
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


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
    ruling = forms.FileField(label=_("Release ruling (PDF)"),
                             error_messages={"required": _("Attach the release ruling (PDF).")},
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, measure_id=None, **kwargs):
        # One form per row of a table: ids unique on the page, so that each label names its own field.
        kwargs.setdefault("auto_id", f"id_release_{measure_id}_%s" if measure_id else "id_release_%s")
        super().__init__(*args, **kwargs)


class MeasureTakeEffectForm(CleanTextMixin, forms.Form):
    """A waiting seizure takes effect: the day the earlier measure was gone."""

    effective_on = forms.DateField(label=_("Took effect on"), widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": _("Say on which day the measure took effect.")})


def apply_service_errors(form, exc: ValidationError):
    """Show a service's field errors on the form (unknown fields become non-field errors)."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
