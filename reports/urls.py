from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("van-ban/to-chuc/<uuid:public_id>/", views.document_list, name="list"),
    path("van-ban/<uuid:public_id>/", views.document_edit, name="edit"),
    path("van-ban/<uuid:public_id>/dau-van-ban/", views.document_header, name="header"),
    path(
        "van-ban/<uuid:public_id>/muc/<int:section_id>/",
        views.section_save,
        name="section",
    ),
    path(
        "van-ban/<uuid:public_id>/muc/<int:section_id>/them/",
        views.section_add,
        name="section_add",
    ),
    path(
        "van-ban/<uuid:public_id>/muc/<int:section_id>/xoa/",
        views.section_delete,
        name="section_delete",
    ),
    path(
        "van-ban/<uuid:public_id>/muc/<int:section_id>/chuyen/",
        views.section_move,
        name="section_move",
    ),
    path("van-ban/<uuid:public_id>/xem-truoc/", views.document_preview, name="preview"),
    path("van-ban/<uuid:public_id>/ban-in/", views.rendering_create, name="render"),
    path("van-ban/<uuid:public_id>/ban-hanh/", views.document_issue, name="issue"),
    path("van-ban/<uuid:public_id>/ban-chinh-thuc.pdf", views.document_pdf, name="pdf"),
    path(
        "van-ban/<uuid:public_id>/dinh-chinh/", views.document_correct, name="correct"
    ),
    path("van-ban/ban-in/<uuid:public_id>/", views.rendering_status, name="rendering"),
    path(
        "van-ban/ban-in/<uuid:public_id>/tai-ve/",
        views.rendering_download,
        name="rendering_download",
    ),
]
