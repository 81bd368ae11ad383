from django import forms
from django.utils.translation import gettext_lazy as _

from linkage.forms import CleanTextMixin
from members.models import Unit

from .models import AgendaItem, AgendaReason, MeetingKind


class AgendaItemForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.ChoiceField(label=_("Reason (Art. 34)"), choices=AgendaReason.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    case_numbers = forms.CharField(label=_("Case numbers, one per line"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    units = forms.ModelMultipleChoiceField(label=_("Units concerned"), queryset=Unit.objects.active(),
                                           to_field_name="code", required=False,
                                           widget=forms.CheckboxSelectMultiple)
    suggested = forms.CharField(required=False, widget=forms.HiddenInput)


class CommentForm(CleanTextMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(label=_("Date and time"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda_items = forms.ModelMultipleChoiceField(label=_("Agenda items (approved, not yet settled)"),
                                                  queryset=AgendaItem.objects.schedulable(),
                                                  widget=forms.CheckboxSelectMultiple)


class AttendanceForm(CleanTextMixin, forms.Form):
    attendees = forms.CharField(label=_("Who attends (names and posts)"), max_length=300)


class MinutesForm(CleanTextMixin, forms.Form):
    summary = forms.CharField(label=_("Summary"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class DecisionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.ModelChoiceField(label=_("Unit responsible"), queryset=Unit.objects.active(), to_field_name="code",
                                  required=False)
    # <input type="date"> takes ISO dates only (zh-hans would render 2026/12/31, which browsers drop).
    due_at = forms.DateField(label=_("Due"), required=False,
                             widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(),
                                         required=False)

    def __init__(self, *args, agenda_items=None, court_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if court_id is not None:
            self.fields["unit"].queryset = Unit.objects.active().of_court(court_id)
        if agenda_items is not None:
            self.fields["agenda_item"].queryset = agenda_items


DecisionFormSet = forms.formset_factory(DecisionForm, extra=3, max_num=50)


class ReportForm(CleanTextMixin, forms.Form):
    detail = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False)
