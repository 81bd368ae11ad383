"""Where the portal keeps files nobody may fetch by URL: rulings, answers' attachments, proofs of service,
sealed documents. Served only through views that check permission (and log the read)."""
import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone


class PrivateMediaStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, read at each use (not frozen at import), with no URL:
    they are served only through permission-checked views."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateMediaStorage()


def private_upload_path(instance, filename):
    """``2026/12/<uuid>.pdf``: the stored name never comes from the uploader (only PDFs are accepted, so
    the extension is fixed); the original name is kept as a label in ``original_name``."""
    return timezone.now().strftime("%Y/%m/") + f"{uuid.uuid4().hex}.pdf"
