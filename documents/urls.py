from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify-code"),
    path("documents/<str:code>/file.pdf", views.download, name="download"),
]
