from django.urls import path

from . import entrustment_views, import_views, pickers, supervision_views, views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_create, name="create"),
    path("cases/import/", import_views.case_import, name="import"),
    path("cases/picker/", pickers.case_picker, name="picker"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("cases/<int:pk>/issue/", views.notice_issue, name="issue"),
    path("cases/<int:pk>/entrust/", entrustment_views.entrust, name="entrust"),
    path("entrustments/", entrustment_views.entrustment_list, name="entrustments"),
    path("supervision/", supervision_views.overview, name="supervision"),
    path("supervision/orders/", supervision_views.orders, name="supervision-orders"),
    path("entrustments/<int:pk>/", entrustment_views.entrustment_detail, name="entrustment"),
    path("cases/<int:pk>/conclude/", views.case_conclude, name="conclude"),
    path("cases/<int:pk>/resume/", views.case_resume, name="resume"),
    path("cases/<int:pk>/suspend/", views.case_suspend, name="suspend"),
    path("cases/<int:pk>/proceed/", views.case_proceed, name="proceed"),
    path("cases/<int:pk>/settlement/", views.case_settlement, name="settlement"),
    path("cases/<int:pk>/payments/", views.case_payment, name="payment"),
    path("cases/<int:pk>/searches/", views.case_search, name="search"),
    path("inbox/", views.inbox, name="inbox"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/document.pdf", views.notice_pdf, name="notice-pdf"),
    path("notices/<int:pk>/requests/", views.notice_request, name="notice-request"),
    path("notices/<int:pk>/requests/<int:request_id>/<slug:decision>/", views.notice_request_decide,
         name="notice-request-decide"),
    path("notices/<int:pk>/<slug:name>/", views.notice_transition, name="notice-transition"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<int:pk>/<slug:name>/", views.measure_action, name="measure-action"),
]
