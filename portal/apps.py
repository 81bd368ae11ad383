from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    """The roof: what reads every app (the home page, each role's to-do menu, the demo month, the embedded
    clocks). No models; no app imports it."""

    name = "portal"
    verbose_name = pgettext_lazy("app", "Portal home and to-do")
