from django.urls import path

from . import views
from .api import AssessmentPeriodViewSet

app_name = "assessments"
urlpatterns = [
    path("assessment/", views.index, name="index"),
    path("assessment/mine/", views.mine, name="mine"),
    path("assessment/periods/<int:pk>/", views.ranking, name="ranking"),
    path("assessment/periods/<int:pk>/scheme/", views.scheme, name="scheme"),
    path("assessment/periods/<int:pk>/export.xlsx", views.export_xlsx, name="export"),
    path("assessment/periods/<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    # The ranking's table builds these two from the ranking's path (templates/jinja2/assessments/ranking_table.html).
    path("assessment/periods/<int:pk>/units/<slug:code>/", views.unit_page, name="unit"),
    path("assessment/periods/<int:pk>/units/<slug:code>/<slug:indicator>/", views.evidence, name="evidence"),
    path("assessment/periods/<int:pk>/<slug:name>/", views.period_action, name="period-action"),
    path("assessment/reports/", views.report_list, name="reports"),
    path("assessment/reports/new/", views.report_create, name="report-create"),
    path("assessment/reports/<int:pk>/", views.report_detail, name="report"),
    path("assessment/dashboard/", views.dashboard, name="dashboard"),
    path("assessment/dashboard/<slug:what>/", views.dashboard_rows, name="dashboard-rows"),
    # API.md writes this without a trailing slash; the router would add one.
    path("api/v1/assessment-periods/<int:pk>/export.xlsx", AssessmentPeriodViewSet.as_view({"get": "export"}),
         name="api-export"),
]
