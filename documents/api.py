"""``POST /api/v1/documents/verify/``: a unit's system checks a document it received (API.md). Rate-limited
per user, and within the user's work budget (``linkage.workbudget``: CPU seconds per minute, one such
request at a time)."""
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from linkage.api import CleanCharField, JSONParser, OutputSerializer
from linkage.ratelimit import hit
from linkage.workbudget import work_budget

from . import services

VERIFY_RATE = "120/min"


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="The PDF received")
    code = CleanCharField(required=False, max_length=64, help_text="Or the verification code printed on it")


class VerifyResultSerializer(OutputSerializer):
    signature_valid = serializers.BooleanField()
    sealed = serializers.BooleanField()
    registered = serializers.BooleanField()
    identical = serializers.BooleanField()
    signer = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    standing = serializers.CharField()
    standing_code = serializers.CharField()
    document = serializers.DictField(allow_null=True)


class DocumentVerifyView(APIView):
    """multipart ``{file}`` (the PDF) or ``{code}`` → is it the court's, unchanged, still in force.
    Open to any signed-in user and to unit system tokens."""

    permission_classes = [permissions.IsAuthenticated]  # unit tokens too (not only notices)
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": VerifyRequestSerializer, "application/json": VerifyRequestSerializer},
                   responses=VerifyResultSerializer)
    def post(self, request):
        if not hit("api_verify", request.user.pk, VERIFY_RATE):
            raise Throttled(wait=60)
        # 429 (WorkRefused) when the user's work budget is spent or another such request is in flight;
        # the body is parsed inside, so a refusal costs no parsing and the parsing counts as work.
        with work_budget(request, "verify"):
            body = VerifyRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            upload = body.validated_data.get("file")
            code = (body.validated_data.get("code") or "").strip()
            if upload is None and not code:
                raise ValidationError({"file": ["Send the PDF as file, or its verification code as code."]})
            if upload is not None:
                if upload.size > settings.UPLOAD_MAX_BYTES:
                    raise ValidationError({"file": ["The file is too large."]})
                try:
                    data, parse = services.checked_upload(upload)
                except DjangoValidationError as exc:
                    raise ValidationError({"file": exc.messages}) from exc
                result = services.verify(pdf=data, parse=parse)
            else:
                result = services.verify(code=code)
        document = result.get("document")
        if document is not None:
            document = {k: v for k, v in document.items() if k != "standing"}
        data = {k: result[k] for k in ("signature_valid", "sealed", "registered", "identical", "signer",
                                       "signed_at", "standing", "standing_code")}
        data["document"] = document
        return Response(VerifyResultSerializer(data).data, status=status.HTTP_200_OK)
