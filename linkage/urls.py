from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from assessments.api import (
    AssessmentPeriodViewSet,
    CourtSanctionViewSet,
    NonCooperationReportViewSet,
    ReferralTaskViewSet,
)
from cases.api import CaseViewSet, MeasureViewSet, NoticeViewSet
from cases.entrustment_api import EntrustmentViewSet
from conferences.api import ActionItemViewSet, AgendaItemViewSet, MeetingViewSet
from credit.api import ConsumptionRestrictionViewSet, CreditCheckViewSet, CreditEntryViewSet, DecisionViewSet
from credit.views import public_dishonest
from documents.api import DocumentVerifyView
from linkage.admin_i18n import admin_javascript_catalog
from members import views as member_views
from members.api import ChannelViewSet, CourtViewSet, HealthView, ObtainTokenView, UnitViewSet
from portal import views as portal_views

# The admin's header and page titles in the portal's language (执行联动协调平台管理).
admin.site.site_header = admin.site.site_title = gettext_lazy("Enforcement linkage portal administration")
admin.site.index_title = gettext_lazy("Administration")

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("channels", ChannelViewSet, basename="channel")
router.register("courts", CourtViewSet, basename="court")
router.register("cases", CaseViewSet, basename="case")
router.register("notices", NoticeViewSet, basename="notice")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("measures", MeasureViewSet, basename="measure")
router.register("entrustments", EntrustmentViewSet, basename="entrustment")
router.register("noncooperation-reports", NonCooperationReportViewSet, basename="noncooperation-report")
router.register("sanctions", CourtSanctionViewSet, basename="sanction")
router.register("referral-tasks", ReferralTaskViewSet, basename="referral-task")
router.register("assessment-periods", AssessmentPeriodViewSet, basename="assessment-period")
router.register("credit-entries", CreditEntryViewSet, basename="credit-entry")
router.register("credit-check", CreditCheckViewSet, basename="credit-check")
router.register("consumption-restrictions", ConsumptionRestrictionViewSet, basename="consumption-restriction")
router.register("credit-decisions", DecisionViewSet, basename="credit-decision")

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("units/", member_views.unit_directory, name="unit-directory"),
    path("units/<slug:code>/", member_views.unit_detail, name="unit-page"),
    path("", include("cases.urls")),
    path("", include("conferences.urls")),
    path("", include("assessments.urls")),
    path("", include("credit.urls")),
    path("public/dishonest/", public_dishonest, name="public-dishonest"),
    path("", include("documents.urls")),
    path("api/v1/documents/verify/", DocumentVerifyView.as_view(), name="api-document-verify"),
    path("accounts/login/", member_views.LoginView.as_view(), name="login"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", member_views.api_tokens, name="api-tokens"),
    # Everyone changes their own password (the account menu of the top bar); the admin keeps its own pages.
    path("accounts/password/", auth_views.PasswordChangeView.as_view(
        template_name="registration/portal_password_change.html"), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/portal_password_change_done.html"), name="password_change_done"),
    path("help/", portal_views.help_page, name="help"),
    path("help/user-guide.md", portal_views.user_guide, name="user-guide"),
    path("channels/", member_views.channels_page, name="channels"),
    path("absences/", portal_views.absences, name="absences"),
    path("channels/<int:pk>/", member_views.channel_messages_page, name="channel-messages"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own: its JavaScript catalogue with the strings Django's zh_Hans one lacks (the
    # filter_horizontal widget's "Choose all %s"), from the portal's catalogue (linkage/admin_i18n.py).
    path("admin/jsi18n/", admin_javascript_catalog, name="admin-jsi18n"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/health/", HealthView.as_view(), name="api-health"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
