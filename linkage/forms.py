"""What every portal form shares: typed text is stored without control characters, and the renderer."""
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist

from .text import strip_controls


class CleanTextMixin:
    """Put first in a form's bases (``class NoteForm(CleanTextMixin, forms.Form)``): every text value of the
    cleaned data loses its control characters (tab and line feed stay, CR LF becomes LF), whatever field
    it came from. Files, numbers, dates and model choices are left alone."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                self.cleaned_data[name] = strip_controls(value)


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
