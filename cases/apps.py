from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and notices")

    def ready(self):
        from members.seeding import units_seeded

        from . import stored_documents
        from .seeding import on_units_seeded

        units_seeded.connect(on_units_seeded, dispatch_uid="cases.on_units_seeded")
        stored_documents.register()  # how ``documents`` renders, titles and judges what cases issues
