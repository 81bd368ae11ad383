"""REST API for non-cooperation reports, referral tasks and assessment periods (API.md). Thin: parse,
call a service, serialize. Lookups start from scoped querysets, so another unit's row is a 404."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linkage.api import CleanCharField, IdCursorPagination, IdField, OutputModelSerializer, require_perm

from . import exports, selectors, services
from .models import CourtSanction, SanctionKind
from .serializers import (
    DetailInputSerializer,
    EvidenceSerializer,
    NonCooperationReportInputSerializer,
    PeriodInputSerializer,
    PeriodSerializer,
    ReferralTaskSerializer,
    ReportDecideInputSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    SchemeInputSerializer,
    ScoreSerializer,
)


class CourtSanctionSerializer(OutputModelSerializer):
    unit = serializers.CharField(source="report.unit.code", read_only=True)
    document = serializers.SerializerMethodField()

    class Meta:
        model = CourtSanction
        fields = ["id", "report", "unit", "case", "kind", "person", "amount", "days", "facts", "status",
                  "proposed_at", "decided_at", "returned_reason", "document"]

    def get_document(self, sanction) -> dict | None:
        doc = sanction.document
        return {"id": doc.pk, "number": doc.ruling_number, "title": doc.title} if doc else None


class SanctionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    facts = CleanCharField(max_length=4000)
    person = CleanCharField(required=False, allow_blank=True, default="", max_length=60,
                            help_text="The unit's principal or person directly responsible; empty: the unit")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=15)
    case = IdField(required=False, allow_null=True, default=None)


class SanctionReturnInputSerializer(serializers.Serializer):
    reason = CleanCharField(max_length=2000)


class NonCooperationReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.reports_for_list(self.request.user, status=self.request.query_params.get("status", ""),
                                              unit=self.request.query_params.get("unit", "")
                                              ).prefetch_related("notices")
        return selectors.report_for_detail(self.request.user)

    def get_serializer_class(self):
        return ReportSerializer if self.action == "list" else ReportDetailSerializer

    def _answer(self, report, code=status.HTTP_200_OK):
        return Response(ReportDetailSerializer(selectors.report_for_detail(self.request.user).get(pk=report.pk)).data,
                        status=code)

    @extend_schema(request=NonCooperationReportInputSerializer, responses={201: ReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "assessments.add_noncooperationreport")
        data = NonCooperationReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_file(actor=request.user, **data.validated_data)
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(request=ReportDecideInputSerializer, responses={200: ReportDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        report = self.get_object()
        require_perm(request, "assessments.decide_noncooperationreport")
        data = ReportDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.report_decide(actor=request.user, report=report, **data.validated_data))

    @extend_schema(request=SanctionInputSerializer, responses={201: CourtSanctionSerializer})
    @action(detail=True, methods=["post"])
    def sanctions(self, request, pk=None):
        """A fine or detention proposed on a report the conference referred to the court (``civil_procedure``);
        the president approves it (民事诉讼法 Art. 119)."""
        report = self.get_object()
        require_perm(request, "assessments.add_courtsanction")
        data = SanctionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sanction = services.sanction_propose(actor=request.user, report=report, **data.validated_data)
        return Response(CourtSanctionSerializer(sanction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DetailInputSerializer, responses={200: ReportDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The reported unit's liaison states the unit's side."""
        report = self.get_object()
        data = DetailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.report_answer(actor=request.user, report=report, **data.validated_data))


class CourtSanctionViewSet(viewsets.ReadOnlyModelViewSet):
    """``sanctions/``: fines and detention of obstructing units (民事诉讼法 Arts. 117-119), the court's; the
    president approves or returns (others 403)."""

    serializer_class = CourtSanctionSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return selectors.sanctions_visible_to(self.request.user)

    @extend_schema(request=None, responses={200: CourtSanctionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        require_perm(request, "assessments.approve_courtsanction")
        sanction = services.sanction_approve(actor=request.user, sanction=self.get_object())
        return Response(CourtSanctionSerializer(self.get_queryset().get(pk=sanction.pk)).data)

    @extend_schema(request=SanctionReturnInputSerializer, responses={200: CourtSanctionSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_clerk(self, request, pk=None):
        require_perm(request, "assessments.approve_courtsanction")
        sanction = self.get_object()
        data = SanctionReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sanction = services.sanction_return(actor=request.user, sanction=sanction, **data.validated_data)
        return Response(CourtSanctionSerializer(self.get_queryset().get(pk=sanction.pk)).data)


class ReferralTaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralTaskSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return selectors.tasks_visible_to(self.request.user)

    @extend_schema(request=DetailInputSerializer, responses={200: ReferralTaskSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        task = self.get_object()
        data = DetailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.task_answer(actor=request.user, task=task, **data.validated_data)
        return Response(ReferralTaskSerializer(self.get_queryset().get(pk=task.pk)).data)


class AssessmentPeriodViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return selectors.periods_visible_to(self.request.user).prefetch_related("indicators")

    def _period(self, period):
        return Response(PeriodSerializer(self.get_queryset().get(pk=period.pk)).data)

    @extend_schema(request=PeriodInputSerializer, responses={201: PeriodSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "assessments.add_assessmentperiod")
        data = PeriodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.period_create(actor=request.user, **data.validated_data)
        return Response(PeriodSerializer(self.get_queryset().get(pk=period.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SchemeInputSerializer, responses={200: PeriodSerializer})
    @action(detail=True, methods=["get", "put", "patch"])
    def scheme(self, request, pk=None):
        """The period's indicators and weights; the assessor edits them while the period is open."""
        period = self.get_object()
        if request.method == "GET":
            return self._period(period)
        require_perm(request, "assessments.change_assessmentperiod")
        data = SchemeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._period(services.scheme_update(actor=request.user, period=period, **data.validated_data))

    @extend_schema(request=None, responses={200: PeriodSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Computes the scores from the data (a background task; in-process with the embedded default,
        so the answer already carries them)."""
        period = self.get_object()
        require_perm(request, "assessments.compute_assessmentperiod")
        services.period_compute(actor=request.user, period=period)
        body = PeriodSerializer(self.get_queryset().get(pk=period.pk)).data
        body["scores"] = ScoreSerializer(selectors.scores_for_list(request.user, period), many=True,
                                         context={"request": request}).data
        return Response(body)

    @extend_schema(request=None, responses={200: PeriodSerializer})
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        period = self.get_object()
        require_perm(request, "assessments.finalise_assessmentperiod")
        data = request.data if hasattr(request.data, "get") else {}  # a non-object body carries no note
        return self._period(services.period_finalise(actor=request.user, period=period,
                                                     note=str(data.get("note", ""))))

    @extend_schema(responses={200: ScoreSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def scores(self, request, pk=None):
        """One row per active member unit (idle ones included); a unit's members only their own row."""
        period = self.get_object()
        rows = ScoreSerializer(selectors.scores_for_list(request.user, period), many=True,
                               context={"request": request}).data
        return Response({"results": rows, "next": None, "count": len(rows),
                         "status": period.status, "computed_at": period.computed_at})

    @extend_schema(responses={200: ScoreSerializer})
    @action(detail=True, methods=["get"], url_path=r"scores/(?P<unit_code>[\w-]+)")
    def unit_score(self, request, pk=None, unit_code=None):
        period = self.get_object()
        score = selectors.score_for_unit(request.user, period, unit_code)
        return Response(ScoreSerializer(score, context={"request": request}).data)

    @extend_schema(parameters=[OpenApiParameter("unit", str), OpenApiParameter("indicator", str)],
                   responses={200: EvidenceSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """The notices, items, findings or cases behind one indicator of one unit's score."""
        period = self.get_object()
        indicator = request.query_params.get("indicator", "")
        _score, qs = selectors.evidence(request.user, period, request.query_params.get("unit", ""), indicator)
        paginator = IdCursorPagination()
        page = selectors.evidence_records(period, indicator, paginator.paginate_queryset(qs, request, view=self))
        data = EvidenceSerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    def export(self, request, pk=None):
        """The scores and their evidence as an Excel workbook (assessor, office)."""
        period = self.get_object()
        require_perm(request, "assessments.export_assessmentperiod")
        return exports.xlsx_response(request.user, period)

