"""What every portal form shares: typed text goes through the one input rule (``linkage.text.clean_text``),
and the renderer."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms import CharField
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist

from .text import FREE_TEXT_MAX_LENGTH, clean_text


class CleanTextMixin:
    """Put first in a form's bases (``class NoteForm(CleanTextMixin, forms.Form)``): every text field gets
    the one input rule of ``linkage.text.clean_text``, as the API's ``CleanCharField`` does: a length cap
    (``FREE_TEXT_MAX_LENGTH`` unless the field has its own, shown to the browser as ``maxlength``), control
    characters stripped (tab and line feed stay, CR LF becomes LF), direction overrides refused with the
    field's error. Files, numbers, dates and model choices are left alone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, CharField) and field.max_length is None:
                field.max_length = FREE_TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(FREE_TEXT_MAX_LENGTH))
                field.widget.attrs.setdefault("maxlength", str(FREE_TEXT_MAX_LENGTH))

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                try:
                    self.cleaned_data[name] = clean_text(value)
                except ValidationError as exc:
                    self.add_error(name, exc)


class WidgetRenderer(BaseRenderer):
    """The form renderer (``FORM_RENDERER``): Django's own Jinja2 templates of its forms and widgets
    (``django/forms/jinja2``, the same markup as the template-language ones, whitespace aside), and the
    template language for any other widget template (the admin's, in ``django.contrib.admin``).

    A form page renders a few hundred widget and label templates, a large share of its rendering;
    Jinja2 compiles each one to Python and renders it faster."""

    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)


def apply_service_errors(form, exc: ValidationError):
    """Show a service's errors on the form: each field's under it, the others (and an error of no field)
    at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
