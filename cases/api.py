"""REST API for cases and notices (API.md). Thin: parse, call a service, serialize."""
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from linkage.api import IdCursorPagination, require_perm
from linkage.workbudget import expensive
from members.models import ActionType
from members.roles import is_court_user

from . import imports, measures, selectors, services
from .filters import CaseFilter, MeasureFilter, NoticeFilter
from .identifiers import case_number_hint
from .models import Case, Suspension
from .serializers import (
    AnswerInputSerializer,
    CaseEventSerializer,
    CaseImportInputSerializer,
    CaseImportOutputSerializer,
    CaseInputSerializer,
    CaseSerializer,
    ConcludeInputSerializer,
    ConcludeOutputSerializer,
    DecideInputSerializer,
    MeasureReleaseInputSerializer,
    MeasureSerializer,
    MeasureTakeEffectInputSerializer,
    NoteInputSerializer,
    NoticeDetailSerializer,
    NoticeInputSerializer,
    NoticeRequestInputSerializer,
    NoticeRequestSerializer,
    NoticeSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    ProceedInputSerializer,
    PropertySearchInputSerializer,
    PropertySearchSerializer,
    ResumeInputSerializer,
    ReturnInputSerializer,
    RulingInputSerializer,
    RulingSerializer,
    SettlementInputSerializer,
    SettlementSerializer,
    SuspendInputSerializer,
)


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    pagination_class = IdCursorPagination
    filterset_class = CaseFilter

    def get_queryset(self):
        # Into lists (to_attr), which CaseSerializer reads: a prefetch into the managers builds a queryset
        # per case and relation, over a hundred on a page of fifty cases.
        # The money as two scalar subqueries, the open suspension prefetched: no query per case.
        return selectors.with_money(selectors.cases_visible_to(self.request.user)).prefetch_related(
            Prefetch("parties", to_attr="party_list"), Prefetch("categories", to_attr="category_list"),
            Prefetch("resumptions", queryset=Case.objects.only("id", "resumed_from"), to_attr="resumption_list"),
            Prefetch("suspensions", queryset=Suspension.objects.filter(ended_at__isnull=True),
                     to_attr="open_suspensions"))

    @extend_schema(request=CaseInputSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "cases.add_case")
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_create(actor=request.user, **data.validated_data)
        case = self.get_queryset().get(pk=case.pk)
        body = CaseSerializer(case).data
        hint = case_number_hint(data.validated_data["number"])
        if hint:  # the number was read after correcting its brackets: （2026）, not (2026) or 〔2026〕
            body["number_hint"] = hint
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseImportInputSerializer, responses={200: CaseImportOutputSerializer})
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_rows(self, request):
        """Cases from the court's case system: each row registered as ``POST cases/`` registers one, or
        read ``exists`` (left as it is) or ``error``; ``dry_run`` writes nothing."""
        require_perm(request, "cases.add_case")
        data = CaseImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [imports.ImportRow(row=index, data=dict(row) if row is not None else {"number": number},
                                  errors=dict(errors), checkable=row is not None)
                for index, (row, errors, number) in enumerate(data.validated_data["rows"], start=1)]
        outcome = imports.case_import(actor=request.user, rows=rows, dry_run=data.validated_data["dry_run"])
        return Response({"results": [r.as_dict() for r in outcome.results]})

    @extend_schema(request=ConcludeInputSerializer, responses={200: ConcludeOutputSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """Conclude by outcome (Art. 35): ``completed``/``terminated`` release every measure held;
        ``final_no_property`` (终本) releases none and keeps them (``kept_measures``)."""
        case = self.get_object()
        require_perm(request, "cases.conclude_case")
        data = ConcludeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.update(_ruling_args(case, values.pop("ruling", None)))
        result = services.case_conclude(actor=request.user, case=case, **values)
        case = self.get_queryset().get(pk=case.pk)
        return Response(ConcludeOutputSerializer(case, context={"result": result}).data)

    def _case(self, case, code=status.HTTP_200_OK):
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    @extend_schema(request=SuspendInputSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """中止执行 (民事诉讼法 Art. 267) or 暂缓执行 (Art. 242) with its ground: the measures stay (a
        bankruptcy accepted releases them, 企业破产法 Art. 19), the clocks of open requests stop, no new
        request may be issued until the case proceeds."""
        case = self.get_object()
        require_perm(request, "cases.conclude_case")
        data = SuspendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.update(_ruling_args(case, values.pop("ruling", None)))
        services.case_suspend(actor=request.user, case=case, **values)
        return self._case(case)

    @extend_schema(request=ProceedInputSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def proceed(self, request, pk=None):
        """A suspended case returns to enforcement (恢复执行); after a settlement, because it was breached."""
        case = self.get_object()
        require_perm(request, "cases.conclude_case")
        data = ProceedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_proceed(actor=request.user, case=case, **data.validated_data)
        return self._case(case)

    @extend_schema(methods=["GET"], responses={200: SettlementSerializer(many=True)})
    @extend_schema(methods=["POST"], request=SettlementInputSerializer, responses={201: SettlementSerializer})
    @action(detail=True, methods=["get", "post"])
    def settlements(self, request, pk=None):
        """执行和解 (民事诉讼法 Art. 241): the agreement, its instalments (each paid, part, due or overdue);
        the case is suspended while it is performed; measures stay unless it names them."""
        case = self.get_object()
        if request.method == "GET":
            _court_only(request)
            return Response(SettlementSerializer(case.settlements.prefetch_related("instalments"), many=True).data)
        require_perm(request, "cases.conclude_case")
        data = SettlementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.update(_ruling_args(case, values.pop("ruling", None)))
        settlement = services.settlement_record(actor=request.user, case=case, **values)
        return Response(SettlementSerializer(settlement).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: PaymentSerializer(many=True)})
    @extend_schema(methods=["POST"], request=PaymentInputSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["get", "post"])
    def payments(self, request, pk=None):
        """执行款 received: it lowers ``outstanding_amount``; more than is outstanding is a 400."""
        case = self.get_object()
        if request.method == "GET":
            _court_only(request)
            return Response(PaymentSerializer(case.payments.all(), many=True).data)
        require_perm(request, "cases.conclude_case")
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_record(actor=request.user, case=case, **data.validated_data)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: PropertySearchSerializer(many=True)})
    @extend_schema(methods=["POST"], request=PropertySearchInputSerializer,
                   responses={201: PropertySearchSerializer})
    @action(detail=True, methods=["get", "post"], url_path="property-searches")
    def property_searches(self, request, pk=None):
        """After 终本: a property search every six months for five years (终本规定 Art. 9)."""
        case = self.get_object()
        if request.method == "GET":
            _court_only(request)
            return Response(PropertySearchSerializer(case.property_searches.all(), many=True).data)
        require_perm(request, "cases.conclude_case")
        data = PropertySearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search = services.property_search_record(actor=request.user, case=case, **data.validated_data)
        return Response(PropertySearchSerializer(search).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CaseEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        """The case's moves (registered, suspended, proceeded, concluded, resumed …): who, when, from, to."""
        case = self.get_object()
        _court_only(request)
        return Response(CaseEventSerializer(case.events.select_related("actor"), many=True).data)

    @extend_schema(request=ResumeInputSerializer, responses={201: CaseSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Resume a 终本 case (执恢) under a new number; its active measures move to the new case."""
        case = self.get_object()
        require_perm(request, "cases.add_case")
        data = ResumeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.case_resume(actor=request.user, case=case, **data.validated_data)
        return Response(CaseSerializer(self.get_queryset().get(pk=new.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: RulingSerializer(many=True)})
    @extend_schema(methods=["POST"], request={"multipart/form-data": RulingInputSerializer},
                   responses={201: RulingSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def rulings(self, request, pk=None):
        """The case's rulings (执行裁定书); POST adds one (a PDF, at most the upload limit)."""
        case = self.get_object()
        if request.method == "GET":
            if not is_court_user(request.user):
                raise NotFound()
            rulings = case.attachments.filter(purpose="ruling").select_related("case").order_by("ruling_seq", "id")
            return Response(RulingSerializer(rulings, many=True).data)
        require_perm(request, "cases.add_notice")
        data = RulingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ruling = services.ruling_store(actor=request.user, case=case, upload=data.validated_data["file"],
                                       title=data.validated_data["title"])
        return Response(RulingSerializer(ruling).data, status=status.HTTP_201_CREATED)


def _court_only(request) -> None:
    """The lifecycle's records are the court's: a unit sees its own notices, not the case's money."""
    if not is_court_user(request.user):
        raise NotFound()


def _ruling_args(case, ruling) -> dict:
    """``ruling`` from a RulingRefField: an upload, an id of one of the case's rulings, or nothing."""
    if ruling is None:
        return {}
    if isinstance(ruling, int):
        found = case.attachments.filter(pk=ruling, purpose="ruling").first()
        if found is None:
            raise ValidationError({"ruling": ["No such ruling in this case."]})
        return {"ruling": found}
    return {"ruling_file": ruling}


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The measures register, scoped like notices: court roles see all, a unit only its own."""

    serializer_class = MeasureSerializer
    pagination_class = IdCursorPagination
    filterset_class = MeasureFilter

    def get_queryset(self):
        return measures.measures_for_list(self.request.user)

    def _notice(self, notice):
        body = NoticeDetailSerializer(selectors.notice_for_detail(self.request.user).get(pk=notice.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """A renewal notice (续冻/续封) to the unit holding the measure, before it expires; the renewed term
        starts the day after the old one ends. A lapsed measure cannot be renewed (400): it needs a new
        freeze or seizure."""
        measure = self.get_object()
        require_perm(request, "cases.add_notice")
        return self._notice(measures.measure_renew(actor=request.user, measure=measure))

    @extend_schema(request={"multipart/form-data": MeasureReleaseInputSerializer},
                   responses={201: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release this measure alone: a release notice to its unit with the ground (查封扣押冻结规定
        Art. 28) and the release ruling. A missing or unknown ground, a missing ruling, a non-PDF or an
        oversized file is a 400 and nothing is written."""
        measure = self.get_object()
        require_perm(request, "cases.add_notice")
        data = MeasureReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ruling = values.get("ruling")
        kwargs = ({} if ruling is None else {"ruling": ruling} if isinstance(ruling, int)
                  else {"ruling_file": ruling})
        return self._notice(measures.measure_release(actor=request.user, measure=measure, ground=values["ground"],
                                                     note=values["note"], amount=values["amount"], **kwargs))

    @extend_schema(request=MeasureTakeEffectInputSerializer, responses={200: MeasureSerializer})
    @action(detail=True, methods=["post"], url_path="take-effect")
    def take_effect(self, request, pk=None):
        """A waiting seizure takes effect (the earlier measure is gone): it becomes the first and its term
        starts on ``effective_on``. The clerk or the holding unit's liaison."""
        measure = self.get_object()
        data = MeasureTakeEffectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measures.measure_take_effect(actor=request.user, measure=measure, **data.validated_data)
        return Response(MeasureSerializer(self.get_queryset().get(pk=measure.pk)).data)


class NoticeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination
    filterset_class = NoticeFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.notices_for_list(self.request.user)
        if self.action == "retrieve":
            return selectors.notice_for_detail(self.request.user)
        # A write looks the notice up scoped, with what the services read; the answer is read afresh with
        # everything the detail shows (_answer). Prefetching events, attachments and requests for the
        # look-up too was five queries thrown away on every acknowledge and answer.
        return selectors.notice_for_action(self.request.user)

    def get_serializer_class(self):
        return NoticeSerializer if self.action == "list" else NoticeDetailSerializer

    def _detail(self, notice):
        return NoticeDetailSerializer(selectors.notice_for_detail(self.request.user).get(pk=notice.pk),
                                      context=self.get_serializer_context()).data

    def _answer(self, notice):
        return Response(self._detail(notice))

    @extend_schema(request=NoticeInputSerializer, responses={201: NoticeDetailSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "cases.add_notice")
        data = NoticeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = selectors.cases_visible_to(request.user).filter(pk=values["case"]).first()
        if case is None:
            raise ValidationError({"case": ["No such case."]})
        action_type = ActionType.objects.filter(code=values["action"]).first()
        if action_type is None:
            raise ValidationError({"action": [f"Unknown action “{values['action']}”."]})
        party = None
        if values.get("party"):
            party = case.parties.filter(pk=values["party"], role="debtor").first()
            if party is None:
                raise ValidationError({"party": ["No such judgment debtor in this case."]})
        notice = services.notice_issue(actor=request.user, case=case, unit=values["unit"], action=action_type,
                                       subject=values["subject"], due_at=values.get("due_at"), party=party,
                                       asset_kind=values.get("asset_kind", ""), account=values.get("account", ""),
                                       amount=values.get("amount"), **_ruling_args(case, values.get("ruling")))
        return Response(self._detail(notice), status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_acknowledge(actor=request.user, notice=self.get_object(),
                                                        **data.validated_data))

    @extend_schema(request=AnswerInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    @expensive("answer", when=lambda request: bool(request.FILES))  # attachments: the client's work budget
    def answer(self, request, pk=None):
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_answer(actor=request.user, notice=self.get_object(),
                                                   **data.validated_data))

    @extend_schema(request=NoticeRequestInputSerializer, responses={201: NoticeRequestSerializer})
    @action(detail=True, methods=["post"], url_path="requests")
    def file_request(self, request, pk=None):
        """The unit objects (kind "objection") or asks for more time (kind "extension")."""
        data = NoticeRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filed = services.notice_request_file(actor=request.user, notice=self.get_object(), **data.validated_data)
        return Response(NoticeRequestSerializer(filed).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"requests/(?P<request_id>\d+)/decide")
    def decide_request(self, request, pk=None, request_id=None):
        """The clerk grants or refuses the notice's pending objection or extension request."""
        notice = self.get_object()
        filed = notice.requests.filter(pk=request_id).first()
        if filed is None:
            raise NotFound()
        data = DecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notice_request_decide(actor=request.user, request=filed, **data.validated_data)
        return self._answer(notice)

    @extend_schema(request=ReturnInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_correction(self, request, pk=None):
        """The clerk returns the answer for correction (退回补正): answered → acknowledged."""
        notice = self.get_object()
        require_perm(request, "cases.close_notice")
        data = ReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_return(actor=request.user, notice=notice, **data.validated_data))

    @extend_schema(request=NoteInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_close(actor=request.user, notice=self.get_object(),
                                                  **data.validated_data))

    @extend_schema(request=NoteInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_cancel(actor=request.user, notice=self.get_object(),
                                                   **data.validated_data))

