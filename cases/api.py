"""REST API for cases and notices (API.md). Thin: parse, call a service, serialize."""
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from linkage.api import IdCursorPagination, require_perm
from members.models import ActionType

from . import measures, selectors, services
from .filters import CaseFilter, MeasureFilter, NoticeFilter
from .serializers import (
    AnswerInputSerializer,
    CaseInputSerializer,
    CaseSerializer,
    ConcludeInputSerializer,
    ConcludeOutputSerializer,
    DecideInputSerializer,
    MeasureSerializer,
    NoteInputSerializer,
    NoticeDetailSerializer,
    NoticeInputSerializer,
    NoticeRequestInputSerializer,
    NoticeRequestSerializer,
    NoticeSerializer,
)


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    pagination_class = IdCursorPagination
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).prefetch_related("parties", "categories")

    @extend_schema(request=CaseInputSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "cases.add_case")
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_create(actor=request.user, **data.validated_data)
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConcludeInputSerializer, responses={200: ConcludeOutputSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        case = self.get_object()
        data = ConcludeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        releases = services.case_conclude(actor=request.user, case=case, **data.validated_data)
        case = self.get_queryset().get(pk=case.pk)
        return Response(ConcludeOutputSerializer(case, context={"release_ids": [r.pk for r in releases]}).data)


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The measures register, scoped like notices: court roles see all, a unit only its own."""

    serializer_class = MeasureSerializer
    pagination_class = IdCursorPagination
    filterset_class = MeasureFilter

    def get_queryset(self):
        return measures.measures_for_list(self.request.user)


class NoticeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination
    filterset_class = NoticeFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.notices_for_list(self.request.user)
        return selectors.notice_for_detail(self.request.user)

    def get_serializer_class(self):
        return NoticeSerializer if self.action == "list" else NoticeDetailSerializer

    def _answer(self, notice):
        return Response(NoticeDetailSerializer(self.get_queryset().get(pk=notice.pk)).data)

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
        notice = services.notice_issue(actor=request.user, case=case, unit=values["unit"], action=action_type,
                                       subject=values["subject"], due_at=values.get("due_at"),
                                       ruling_file=values.get("ruling"))
        body = NoticeDetailSerializer(self.get_queryset().get(pk=notice.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notice_acknowledge(actor=request.user, notice=self.get_object(),
                                                        **data.validated_data))

    @extend_schema(request=AnswerInputSerializer, responses={200: NoticeDetailSerializer})
    @action(detail=True, methods=["post"])
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

