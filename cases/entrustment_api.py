"""REST: entrusted tasks between courts (API.md "Courts and entrusted tasks"). Either court reads them;
a user of any other court gets 404, as for another unit's notice."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linkage.api import CleanCharField, IdField, MaskedTextField, OutputModelSerializer, require_perm
from members.courts import court_code
from members.scoping import get_visible_or_404

from . import entrustments, selectors
from .entrustment_models import Entrustment, EntrustmentAction, ReturnGround


class EntrustmentSerializer(OutputModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True)
    from_court = serializers.SerializerMethodField(help_text="The entrusting court's code")
    court = serializers.SerializerMethodField(help_text="The entrusted court's code")
    assist_case = serializers.SerializerMethodField(help_text="The 执协 case number at the entrusted court")
    letter = serializers.SerializerMethodField(help_text="The letter's verification code (/verify/)")
    # An identifier typed into the task or the report is masked for every reader, as a notice's subject.
    subject = MaskedTextField(read_only=True)
    report = MaskedTextField(read_only=True)

    class Meta:
        model = Entrustment
        fields = ["id", "number", "case", "from_court", "court", "action", "subject", "status", "auto_release",
                  "assist_case", "sent_at", "start_due_on", "report_due_on", "accepted_at", "reported_at",
                  "report", "release_requested_at", "letter"]

    def get_from_court(self, obj) -> str:
        return court_code(obj.case.court_id)

    def get_court(self, obj) -> str:
        return court_code(obj.court_id)

    def get_assist_case(self, obj) -> str | None:
        return obj.assist_case.number if obj.assist_case_id else None

    def get_letter(self, obj) -> str | None:
        from documents.models import format_code

        return format_code(obj.letter.code) if obj.letter_id else None


class EntrustmentInputSerializer(serializers.Serializer):
    case = IdField()
    court = CleanCharField(max_length=12, help_text="The entrusted court's code, e.g. 鄂1023")
    action = serializers.ChoiceField(choices=EntrustmentAction.choices)
    subject = CleanCharField(max_length=2000)
    ruling = IdField(required=False, help_text="A ruling already filed in the case (its attachment id)")
    auto_release = serializers.BooleanField(required=False, default=False)


class EntrustmentAcceptInputSerializer(serializers.Serializer):
    number = CleanCharField(max_length=40, help_text="The 执协 case number at the entrusted court")


class EntrustmentReportInputSerializer(serializers.Serializer):
    detail = CleanCharField(max_length=5000)
    partial = serializers.BooleanField(required=False, default=False)


class EntrustmentReturnInputSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=ReturnGround.choices)
    reason = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")


class EntrustmentWithdrawInputSerializer(serializers.Serializer):
    reason = CleanCharField(max_length=2000)


class EntrustmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EntrustmentSerializer

    def get_queryset(self):
        return entrustments.visible_to(self.request.user).select_related("letter").order_by("-id")

    def _answer(self, entrustment, code=status.HTTP_200_OK):
        return Response(EntrustmentSerializer(self.get_queryset().get(pk=entrustment.pk)).data, status=code)

    @extend_schema(request=EntrustmentInputSerializer, responses={201: EntrustmentSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "cases.add_notice")
        data = EntrustmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=values.pop("case"))
        made = entrustments.entrust(actor=request.user, case=case, **values)
        return self._answer(made, status.HTTP_201_CREATED)

    @extend_schema(request=EntrustmentAcceptInputSerializer, responses={200: EntrustmentSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = EntrustmentAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(entrustments.accept(actor=request.user, entrustment=self.get_object(),
                                                **data.validated_data))

    @extend_schema(request=EntrustmentReportInputSerializer, responses={200: EntrustmentSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        data = EntrustmentReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(entrustments.report(actor=request.user, entrustment=self.get_object(),
                                                **data.validated_data))

    @extend_schema(request=EntrustmentReturnInputSerializer, responses={200: EntrustmentSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_task(self, request, pk=None):
        data = EntrustmentReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(entrustments.return_task(actor=request.user, entrustment=self.get_object(),
                                                     **data.validated_data))

    @extend_schema(request=EntrustmentWithdrawInputSerializer, responses={200: EntrustmentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = EntrustmentWithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(entrustments.withdraw(actor=request.user, entrustment=self.get_object(),
                                                  **data.validated_data))

    @extend_schema(request=None, responses={200: EntrustmentSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._answer(entrustments.confirm_release(actor=request.user, entrustment=self.get_object()))
