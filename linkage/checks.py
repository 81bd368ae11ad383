"""Deployment checks of our own (``manage.py check --deploy``)."""
from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends whose counters each process keeps to itself: rate limits (credit checks, identifier
# searches, the public pages) would multiply by the number of workers, and restart from zero with them.
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                      "django.core.cache.backends.dummy.DummyCache")


@register(Tags.caches, Tags.security, deploy=True)
def shared_cache_check(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [Error(
            f"The default cache is per process ({backend}): rate limits would not hold across workers.",
            hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/1.",
            id="linkage.E001")]
    return []
