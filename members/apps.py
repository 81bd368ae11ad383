from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups(sender, **kwargs):
    from .seeding import ensure_role_groups

    ensure_role_groups()


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Member units and users")

    def ready(self):
        from linkage import checks  # noqa: F401  (deployment checks: a shared cache)

        from . import schema, signals  # noqa: F401

        # Role groups exist as soon as the schema does (fresh deployments and test databases alike).
        post_migrate.connect(_role_groups, sender=self, dispatch_uid="members-role-groups")
