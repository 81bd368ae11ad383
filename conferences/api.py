"""REST API of the joint conference (API.md "Conferences" rows). Thin: parse, call a service, serialize.

Role refusals come first (403 before the body or the object is looked at); objects are looked up in
querysets scoped to the user, so an uninvited unit gets 404.
"""
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linkage.api import IdCursorPagination, require_perm
from linkage.pagination import query_id

from . import selectors, services
from .documents import render_minutes_docx, render_minutes_pdf
from .serializers import (
    ActionItemSerializer,
    ActionNoteInputSerializer,
    AgendaItemDetailSerializer,
    AgendaItemInputSerializer,
    AgendaItemSerializer,
    AttendanceInputSerializer,
    CommentInputSerializer,
    MeetingInputSerializer,
    MeetingSerializer,
    MinutesInputSerializer,
    MinutesIssueInputSerializer,
    MinutesSerializer,
    ReportInputSerializer,
)


class AgendaItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.agenda_items_for_list(self.request.user)
        return selectors.agenda_item_for_detail(self.request.user)

    def get_serializer_class(self):
        return AgendaItemSerializer if self.action == "list" else AgendaItemDetailSerializer

    def _answer(self, item, code=status.HTTP_200_OK):
        item = selectors.agenda_item_for_detail(self.request.user).get(pk=item.pk)
        return Response(AgendaItemDetailSerializer(item).data, status=code)

    @extend_schema(request=AgendaItemInputSerializer, responses={201: AgendaItemDetailSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "conferences.add_agendaitem")
        data = AgendaItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.agenda_item_propose(actor=request.user, **data.validated_data)
        return self._answer(item, status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def suggestions(self, request):
        """What the data suggests putting to the conference (the office's page, as a list): listed cases
        stalled, idle or moving, cases with notices the office's threshold overdue naming the late units,
        cases with open notices to three or more units."""
        require_perm(request, "conferences.add_agendaitem")
        from django.conf import settings

        rows = [s.as_dict() for s in selectors.agenda_suggestions()]
        return Response({"results": rows, "count": len(rows),
                         "threshold_working_days": settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS})

    @extend_schema(request=CommentInputSerializer, responses={200: AgendaItemDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        require_perm(request, "conferences.decide_agendaitem")
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.agenda_item_approve(actor=request.user, item=self.get_object(),
                                                         **data.validated_data))

    @extend_schema(request=CommentInputSerializer, responses={200: AgendaItemDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        require_perm(request, "conferences.decide_agendaitem")
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.agenda_item_reject(actor=request.user, item=self.get_object(),
                                                        **data.validated_data))


class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return selectors.meetings_for_list(self.request.user)

    def _answer(self, meeting, code=status.HTTP_200_OK):
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=code)

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        require_perm(request, "conferences.add_meeting")
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, **data.validated_data)
        return self._answer(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInputSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """The caller's unit confirms who attends (its liaison)."""
        require_perm(request, "conferences.confirm_attendance")
        meeting = self.get_object()
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = meeting.invitations.filter(unit_id=request.user.unit_id).first()
        if invitation is None:
            raise Http404
        services.invitation_confirm(actor=request.user, invitation=invitation, **data.validated_data)
        return self._answer(meeting)

    def _readable_minutes(self, meeting):
        minutes = selectors.minutes_of(meeting)
        if minutes is None or not selectors.may_read_minutes(self.request.user, minutes):
            raise Http404
        return minutes

    @extend_schema(request=MinutesInputSerializer, responses={200: MinutesSerializer, 201: MinutesSerializer})
    @action(detail=True, methods=["get", "post"])
    def minutes(self, request, pk=None):
        """GET the minutes; POST (office) drafts them, or rewrites the draft; issued minutes answer 409."""
        if request.method == "GET":
            meeting = self.get_object()
            minutes = self._readable_minutes(meeting)
            unit = selectors.minutes_reader_unit(request.user, meeting, minutes)
            return Response(MinutesSerializer(minutes, context={"excerpt_unit": unit}).data)
        require_perm(request, "conferences.add_minutes")
        meeting = self.get_object()
        data = MinutesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existed = hasattr(meeting, "minutes")
        minutes = services.minutes_draft(actor=request.user, meeting=meeting, **data.validated_data)
        return Response(MinutesSerializer(selectors.minutes_of(minutes.meeting)).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=MinutesIssueInputSerializer, responses={200: MinutesSerializer})
    @action(detail=True, methods=["post"], url_path="minutes/issue")
    def issue_minutes(self, request, pk=None):
        """``{to_all: true}`` issues the full minutes to every invited unit; by default each unit reads the
        common part and the decisions addressed to it."""
        require_perm(request, "conferences.issue_minutes")
        meeting = self.get_object()
        minutes = selectors.minutes_of(meeting)
        if minutes is None:
            raise Http404
        data = MinutesIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.minutes_issue(actor=request.user, minutes=minutes, to_all=data.validated_data["to_all"])
        return Response(MinutesSerializer(selectors.minutes_of(meeting)).data)

    def _document(self, kind: str):
        meeting = self.get_object()
        minutes = self._readable_minutes(meeting)
        # A unit's member gets its own excerpt (unless issued to all); ?unit= of another unit is a 404.
        unit = selectors.minutes_reader_unit(self.request.user, meeting, minutes,
                                             self.request.query_params.get("unit"))
        services.minutes_read_log(actor=self.request.user, minutes=minutes, unit=unit, kind=kind)
        name = f"minutes-{meeting.pk}{'-' + unit.code if unit else ''}.{kind}"
        if kind == "pdf":
            from documents.services import stored_minutes  # the issued, e-sealed copy when there is one

            stored = stored_minutes(minutes, unit)
            if stored is not None:
                with stored.file.open("rb") as handle:
                    response = HttpResponse(handle.read(), content_type="application/pdf")
            else:
                response = HttpResponse(render_minutes_pdf(minutes, unit=unit), content_type="application/pdf")
        else:
            response = HttpResponse(
                render_minutes_docx(minutes, unit=unit),
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        from linkage.http import content_disposition

        chinese = f"会议纪要{minutes.number}{'（' + unit.name + '）' if unit else ''}.{kind}"
        response["Content-Disposition"] = content_disposition(chinese, as_attachment=True, fallback=name)
        return response

    # Routed in conferences/urls.py as meetings/{id}/minutes.pdf (no trailing slash, as API.md writes it).
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def minutes_pdf(self, request, pk=None):
        """The minutes as PDF; ``?unit=<code>`` gives that unit's excerpt (摘录)."""
        return self._document("pdf")

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
                              OpenApiTypes.BINARY})
    def minutes_docx(self, request, pk=None):
        """The minutes as DOCX; ``?unit=<code>`` gives that unit's excerpt (摘录)."""
        return self._document("docx")


class ActionItemViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination
    serializer_class = ActionItemSerializer

    def get_queryset(self):
        qs = selectors.action_items_for_list(self.request.user)
        status_ = self.request.query_params.get("status")
        if status_:
            qs = qs.filter(status=status_)
        meeting = self.request.query_params.get("meeting")
        if meeting:
            # Text, 0 or an id beyond 64 bits matches no meeting: an empty list, never a 500.
            meeting_id = query_id(meeting)
            qs = qs.filter(meeting_id=meeting_id) if meeting_id is not None else qs.none()
        unit = self.request.query_params.get("unit")
        if unit:
            qs = qs.filter(unit__code=unit)
        return qs

    def _answer(self, item):
        return Response(ActionItemSerializer(selectors.action_items_for_list(self.request.user).get(pk=item.pk)).data)

    @extend_schema(request=ReportInputSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        require_perm(request, "conferences.report_actionitem")
        item = self.get_object()
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.action_item_report(actor=request.user, item=item, **data.validated_data))

    @extend_schema(request=ActionNoteInputSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        require_perm(request, "conferences.close_actionitem")
        data = ActionNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.action_item_close(actor=request.user, item=self.get_object(),
                                                       **data.validated_data))

    @extend_schema(request=ActionNoteInputSerializer, responses={200: ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_item(self, request, pk=None):
        require_perm(request, "conferences.close_actionitem")
        data = ActionNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.action_item_return(actor=request.user, item=self.get_object(),
                                                        **data.validated_data))
