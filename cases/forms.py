from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.models import ActionType, Unit

from .deadlines import parse_due
from .models import AnswerOutcome, AssetKind, CaseOutcome, KeyCategory, MeasurePriority, PartyKind, PartyRole


class CaseForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "(2026)鄂1022执123号"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = forms.DecimalField(label=_("Amount owed (yuan)"), max_digits=15, decimal_places=2, min_value=0)
    categories = forms.MultipleChoiceField(label=_("Key-case categories"), choices=KeyCategory.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    listed_supervision = forms.BooleanField(label=_("Listed supervision (挂牌督办)"), required=False)
    responsible_leader = forms.CharField(label=_("Responsible leader (领导包案)"), max_length=60, required=False)


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    id_number = forms.CharField(label=_("Resident ID / credit code"), max_length=40, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60, required=False)


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=10)


class IssueForm(forms.Form):
    action = forms.ModelChoiceField(label=_("Action"), queryset=ActionType.objects.all(), to_field_name="code")
    units = forms.ModelMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, to_field_name="code")
    subject = forms.CharField(label=_("Subject: debtor, asset, account or plate"), widget=forms.Textarea(
        attrs={"rows": 3}))
    due_at = forms.CharField(label=_("Answer by (optional; default per action)"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    ruling = forms.FileField(label=_("Enforcement ruling (PDF)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.active().exclude(code="court")
        if action is not None:
            units = units.filter(capabilities__action=action)
        self.fields["units"].queryset = units.order_by("sort_order")

    def clean_due_at(self):
        value = self.cleaned_data.get("due_at")
        if not value:
            return None
        return parse_due(value)


class AnswerForm(forms.Form):
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

    MEASURE_FIELDS = ("asset", "asset_kind", "priority", "queue_position")

    def __init__(self, *args, measure_fields=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not measure_fields:
            for name in self.MEASURE_FIELDS:
                del self.fields[name]

    def measure(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.MEASURE_FIELDS if name in self.fields}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def apply_service_errors(form, exc: ValidationError):
    """Show a service's field errors on the form (unknown fields become non-field errors)."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
