from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partyreports import views

urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("quan-tri/", admin.site.urls),
    path("nhat-ky/", views.audit_log, name="audit_log"),
    path("", include("targets.urls")),
    path("", include("reports.urls")),
    path("", include("organizations.urls")),
]
