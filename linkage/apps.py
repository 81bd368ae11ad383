"""App configurations the project gives to third-party apps, for what they lack."""
from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes with a name for the admin (its own config has none: the admin showed "Axes"). Its
    models' names and fields are translated in the project's catalogue (locale/), which django-axes
    lacks for zh_Hans."""

    verbose_name = _("Login protection")
