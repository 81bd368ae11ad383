from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    """Joint conferences (Art. 4, 9, 34): agenda items, meetings, minutes, action items. Not built yet."""

    name = "conferences"
    verbose_name = _("Joint conferences")
