"""Pages of the dishonest-debtor list (the public page is routed in ``linkage.urls``, outside any
login)."""
from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("credit/", views.entry_list, name="list"),
    path("credit/check/", views.check, name="check"),
    path("credit/check-alerts/", views.check_alerts, name="check-alerts"),
    path("credit/check-alerts/<int:pk>/review/", views.check_alert_review, name="check-alert-review"),
    path("credit/pushes/", views.pushes, name="pushes"),
    path("credit/new/<int:case_pk>/", views.entry_create, name="create"),
    path("credit/<int:pk>/", views.entry_detail, name="detail"),
    path("credit/<int:pk>/propose/", views.entry_propose, name="propose"),
    path("credit/decisions/", views.decision_list, name="decisions"),
    path("credit/decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("credit/<int:pk>/<slug:name>/", views.entry_transition, name="transition"),
    path("restrictions/", views.restriction_list, name="restriction-list"),
    path("restrictions/export.xlsx", views.restriction_export, name="restriction-export"),
    path("restrictions/new/<int:case_pk>/", views.restriction_create, name="restriction-create"),
    path("restrictions/<int:pk>/", views.restriction_detail, name="restriction-detail"),
    path("restrictions/<int:pk>/order.pdf", views.restriction_pdf, name="restriction-pdf"),
    path("restrictions/<int:pk>/<slug:name>/", views.restriction_transition, name="restriction-transition"),
]
