"""Keep per-unit object permissions in step with a user's unit and groups, however they are changed
(services, admin, shell), so an edit in the admin can never leave a stale grant behind."""
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from .models import User


@receiver(pre_save, sender=User)
def _end_sessions_when_access_shrinks(sender, instance, raw=False, **kwargs):
    """A disabled account, or one moved off its unit, loses every session and API token at once."""
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values("unit_id", "is_active").first()
    if old and ((old["is_active"] and not instance.is_active) or old["unit_id"] != instance.unit_id):
        end_sessions(instance)


def end_sessions(user) -> None:
    from rest_framework.authtoken.models import Token

    user.session_epoch += 1
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    Token.objects.filter(user_id=user.pk).delete()


@receiver(post_save, sender=User)
def _user_saved(sender, instance, raw=False, **kwargs):
    update_fields = kwargs.get("update_fields")
    # Saving last_login and the like on every sign-in must not touch permissions.
    if raw or (update_fields and not {"unit", "is_active"} & set(update_fields)):
        return
    from .services import sync_unit_permissions

    sync_unit_permissions(instance)


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(sender, instance, action, reverse=False, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from .services import sync_unit_permissions

    users = [instance] if not reverse else User.objects.filter(pk__in=kwargs.get("pk_set") or [])
    for user in users:
        if action != "post_add":  # a role taken away ends the sessions that carried it
            end_sessions(user)
        sync_unit_permissions(user)


def _courts_changed(sender, **kwargs):
    from .courts import forget_court_codes

    forget_court_codes()


def _connect_court_signals():
    from django.db.models.signals import post_delete

    from .models import Court

    post_save.connect(_courts_changed, sender=Court, dispatch_uid="court-codes-saved")
    post_delete.connect(_courts_changed, sender=Court, dispatch_uid="court-codes-deleted")


_connect_court_signals()
