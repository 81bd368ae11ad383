"""Pages of the dishonest-debtor list (the public page is routed in ``linkage.urls``, outside any
login)."""
from django.urls import path

from . import credit_views as views

app_name = "credit"
urlpatterns = [
    path("credit/", views.entry_list, name="list"),
    path("credit/check/", views.check, name="check"),
    path("credit/pushes/", views.pushes, name="pushes"),
    path("credit/new/<int:case_pk>/", views.entry_create, name="create"),
    path("credit/<int:pk>/", views.entry_detail, name="detail"),
    path("credit/<int:pk>/<slug:name>/", views.entry_transition, name="transition"),
]
