"""What every portal form shares: typed text is stored without control characters."""
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
