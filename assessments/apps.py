from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Non-cooperation reports and comprehensive-governance assessment (Art. 36, 37). Not built yet."""

    name = "assessments"
    verbose_name = _("Accountability and assessment")
