from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    """Joint conferences (Art. 4, 9, 34): agenda items, meetings, minutes, action items."""

    name = "conferences"
    verbose_name = _("Joint conferences")

    def ready(self):
        # The change history of every app's models (django-auditlog), registered once all are loaded.
        from linkage.audit import register_models

        from .documents import register_document_kinds

        register_models()
        register_document_kinds()  # how ``documents`` renders minutes and excerpts
