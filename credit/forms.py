"""The persons of an organisation on the dishonest-debtor list or under a consumption restriction order,
as rows of a formset: a role chosen from the list the model knows, the name, the resident ID number.

Rows are added and removed with a button (static/js/portal.js, as the parties of a case form); without
JavaScript the rows shown work. What the services take is unchanged: ``rows()`` gives the list of
``{"role", "name", "id_number"}`` dicts that ``credit.services.credit_entry_create`` and
``credit.restrictions.restriction_draft`` (and the REST API) take.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkage.forms import CleanTextMixin, apply_service_errors
from linkage.identity import validate_resident_id

from .models import CreditPersonRole, RestrictedPersonRole

PERSONS_PREFIX = "persons"


class CreditPersonForm(CleanTextMixin, forms.Form):
    """One person of a listed organisation: the ID number is optional (the legal representative's may
    be unknown), and checked when given."""

    ROLES = CreditPersonRole.choices
    ID_REQUIRED = False

    role = forms.ChoiceField(label=_("Role"), required=False)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60, required=False)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *self.ROLES]

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if value:
            value = validate_resident_id(value)  # the message shows beside the field
        return value

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in ("role", "name", "id_number")) or bool(self.errors)
        if not filled:
            return data  # a blank row: left out
        if not data.get("role") and "role" not in self.errors:
            self.add_error("role", _("Choose the role."))
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the name."))
        if self.ID_REQUIRED and not data.get("id_number") and "id_number" not in self.errors:
            self.add_error("id_number", _("Enter the resident ID number."))
        return data


class RestrictedPersonForm(CreditPersonForm):
    """One person an order on an organisation reaches (限高规定 Art. 3(2)): the ID number is required."""

    ROLES = RestrictedPersonRole.choices
    ID_REQUIRED = True


class BasePersonFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The filled rows as the services take them; none for a form posted without the rows."""
        if not self.is_bound:
            return []
        return [{"role": f.cleaned_data["role"], "name": f.cleaned_data["name"].strip(),
                 "id_number": f.cleaned_data.get("id_number", "")}
                for f in self.forms if f.cleaned_data.get("name")]

    def is_valid(self):
        # A form posted without the rows (no management form: a script, an old page) names no persons.
        return True if not self.is_bound else super().is_valid()


CreditPersonFormSet = forms.formset_factory(CreditPersonForm, formset=BasePersonFormSet, extra=2, max_num=10,
                                            validate_max=True)
RestrictedPersonFormSet = forms.formset_factory(RestrictedPersonForm, formset=BasePersonFormSet, extra=2,
                                                max_num=10, validate_max=True)


def persons_formset(formset_class, request):
    """Bound to the POST when the page's rows were posted (their management form is there)."""
    posted = request.method == "POST" and f"{PERSONS_PREFIX}-TOTAL_FORMS" in request.POST
    return formset_class(request.POST if posted else None, prefix=PERSONS_PREFIX)


def apply_errors(form, persons, exc: ValidationError) -> None:
    """A service's errors beside their fields: those about the persons above the rows."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    errors = dict(exc.message_dict)
    person_errors = errors.pop("persons", [])
    if person_errors:
        persons.non_form_errors().extend(person_errors)
    if errors:
        apply_service_errors(form, ValidationError(errors))
