from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linkage.forms import CleanTextMixin


class VerifyForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("The PDF you received"), required=False)
    code = forms.CharField(label=_("or the verification code printed on it"), required=False, max_length=40)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and not (data.get("code") or "").strip():
            raise ValidationError(_("Upload the PDF or type its verification code."))
        if upload is not None and upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // 2**20})
        return data
