import re

from django import forms
from django.utils.translation import gettext_lazy as _

from linkage.forms import CleanTextMixin
from linkage.pagination import query_id
from members.models import Unit

from .models import ReportKind, ReportOutcome, SanctionKind


class PeriodForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class SchemeForm(CleanTextMixin, forms.Form):
    """One row of fields per indicator of the period: weight, points per item, smallest sample, enabled."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for ind in indicators:
            prefix = ind.code
            self.fields[f"{prefix}-weight"] = forms.DecimalField(
                label=_("weight"), min_value=0, max_value=1000, decimal_places=2, initial=ind.weight)
            self.fields[f"{prefix}-per_item"] = forms.DecimalField(
                label=_("points per item"), min_value=0, max_value=1000, decimal_places=2, initial=ind.per_item,
                required=False)
            self.fields[f"{prefix}-min_sample"] = forms.IntegerField(
                label=_("smallest sample"), min_value=1, initial=ind.min_sample)
            self.fields[f"{prefix}-enabled"] = forms.BooleanField(label=_("enabled"), initial=ind.enabled,
                                                                  required=False)
            self.rows.append((ind, [self[f"{prefix}-{f}"] for f in ("weight", "per_item", "min_sample", "enabled")]))

    def indicators(self):
        out = []
        for ind, _fields in self.rows:
            entry = {"code": ind.code, "weight": self.cleaned_data[f"{ind.code}-weight"],
                     "min_sample": self.cleaned_data[f"{ind.code}-min_sample"],
                     "enabled": self.cleaned_data[f"{ind.code}-enabled"]}
            if self.cleaned_data.get(f"{ind.code}-per_item") is not None:
                entry["per_item"] = self.cleaned_data[f"{ind.code}-per_item"]
            out.append(entry)
        return out


class ReportForm(CleanTextMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("unit reported"), queryset=Unit.objects.active(), to_field_name="code")
    kind = forms.ChoiceField(label=_("kind"), choices=ReportKind.choices)
    detail = forms.CharField(label=_("facts"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    notices = forms.CharField(label=_("notices cited"), required=False,
                              help_text=_("Notice ids, separated by commas or spaces."))
    concerns_cadres = forms.BooleanField(label=_("concerns cadres (Art. 11)"), required=False)

    def clean_notices(self):
        raw = self.cleaned_data.get("notices") or ""
        parts = [p for p in re.split(r"[\s,，]+", raw) if p]
        ids = [query_id(p) for p in parts]
        if any(i is None for i in ids):
            raise forms.ValidationError(_("Enter notice ids (numbers)."))
        return ids


class DecideForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=ReportOutcome.choices)
    detail = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DetailForm(CleanTextMixin, forms.Form):
    detail = forms.CharField(label=_("statement"), widget=forms.Textarea(attrs={"rows": 4}))


class SanctionForm(CleanTextMixin, forms.Form):
    """A fine or detention proposed to the president (民事诉讼法 Arts. 117-119)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SanctionKind.choices)
    person = forms.CharField(label=_("Person (the unit's principal or the person directly responsible; empty: "
                                     "the unit is fined)"), max_length=60, required=False)
    amount = forms.DecimalField(label=_("Fine (yuan)"), max_digits=12, decimal_places=2, required=False)
    days = forms.IntegerField(label=_("Days of detention"), min_value=1, max_value=15, required=False)
    facts = forms.CharField(label=_("Facts and reasons"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
