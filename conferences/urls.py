from django.urls import path

from . import views
from .api import MeetingViewSet

app_name = "conferences"
urlpatterns = [
    path("conferences/", views.index, name="index"),
    path("conferences/agenda/new/", views.agenda_create, name="agenda-create"),
    path("conferences/agenda/suggestions/", views.suggestions, name="suggestions"),
    path("conferences/agenda/<int:pk>/", views.agenda_detail, name="agenda-detail"),
    path("conferences/agenda/<int:pk>/<slug:name>/", views.agenda_transition, name="agenda-transition"),
    path("conferences/meetings/new/", views.meeting_create, name="meeting-create"),
    path("conferences/meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("conferences/meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("conferences/meetings/<int:pk>/report/", views.work_report, name="work-report"),
    path("conferences/meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes-edit"),
    path("conferences/meetings/<int:pk>/minutes/issue/", views.minutes_issue, name="minutes-issue"),
    path("conferences/meetings/<int:pk>/minutes.pdf", views.minutes_document, {"kind": "pdf"}, name="minutes-pdf"),
    path("conferences/meetings/<int:pk>/minutes.docx", views.minutes_document, {"kind": "docx"},
         name="minutes-docx"),
    path("conferences/actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("conferences/actions/<int:pk>/<slug:name>/", views.action_transition, name="action-transition"),
    path("conferences/board/", views.board, name="board"),
    path("tasks/", views.tasks, name="tasks"),
    # API.md writes these without a trailing slash; the router would add one.
    path("api/v1/meetings/<int:pk>/minutes.pdf", MeetingViewSet.as_view({"get": "minutes_pdf"}),
         name="api-minutes-pdf"),
    path("api/v1/meetings/<int:pk>/minutes.docx", MeetingViewSet.as_view({"get": "minutes_docx"}),
         name="api-minutes-docx"),
]
