from __future__ import annotations

from django.urls import path

from organizations.views import imports, members, ratings, tree

app_name = "organizations"

urlpatterns = [
    path("", tree.home, name="home"),
    path("to-chuc/", tree.tree, name="tree"),
    path("to-chuc/<uuid:public_id>/", tree.organization_detail, name="detail"),
    path(
        "to-chuc/<uuid:public_id>/them/", tree.organization_create, name="create_child"
    ),
    path("to-chuc/<uuid:public_id>/sua/", tree.organization_edit, name="edit"),
    path("to-chuc/<uuid:public_id>/chuyen/", tree.organization_move, name="move"),
    path(
        "to-chuc/<uuid:public_id>/giai-the/",
        tree.organization_dissolve,
        name="dissolve",
    ),
    path("to-chuc/<uuid:public_id>/ban-giao/", tree.handover_create, name="handover"),
    path(
        "to-chuc/<uuid:public_id>/xep-loai/<int:year>/",
        ratings.ratings_edit,
        name="ratings",
    ),
    path(
        "to-chuc/<uuid:public_id>/dang-vien/", members.member_list, name="member_list"
    ),
    path(
        "to-chuc/<uuid:public_id>/dang-vien/them/",
        members.member_create,
        name="member_create",
    ),
    path("to-chuc/<uuid:public_id>/nhap-excel/", imports.import_upload, name="import"),
    path(
        "to-chuc/<uuid:public_id>/nhap-excel/mau.xlsx",
        imports.import_template_for,
        name="import_template_for",
    ),
    path("nhap-excel/mau.xlsx", imports.import_template, name="import_template"),
    path("dang-vien/<uuid:public_id>/", members.member_detail, name="member_detail"),
    path("dang-vien/<uuid:public_id>/sua/", members.member_edit, name="member_edit"),
    path(
        "dang-vien/<uuid:public_id>/su-kien/",
        members.member_event_create,
        name="member_event",
    ),
    path(
        "dang-vien/<uuid:public_id>/su-kien/<uuid:event_id>/sua/",
        members.member_event_edit,
        name="member_event_edit",
    ),
]
