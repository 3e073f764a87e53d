from __future__ import annotations

from django.urls import path

from targets.views import completeness, dashboard, plans, sheet, term, workbook

app_name = "targets"

_sheet = "ket-qua/<uuid:public_id>/<int:year>/quy-<int:quarter>/"

_dash = "bang-dieu-khien/<uuid:public_id>/"

urlpatterns = [
    path(_dash, dashboard.dashboard, name="dashboard"),
    path(_dash + "excel/", dashboard.dashboard_export, name="dashboard_export"),
    path(_dash + "tong-hop-lai/", dashboard.rollup_rebuild, name="rollup_rebuild"),
    path(_dash + "tien-do/", completeness.completeness, name="completeness"),
    path(_dash + "han-nop/", completeness.deadlines, name="deadlines"),
    path(_dash + "nhiem-ky/", term.term, name="term"),
    path("ket-qua/<uuid:public_id>/", sheet.sheet_index, name="index"),
    path("chi-tieu/to-chuc/<uuid:public_id>/", plans.plan_list, name="plans"),
    path(
        "chi-tieu/to-chuc/<uuid:public_id>/them/", plans.plan_create, name="plan_create"
    ),
    path("chi-tieu/<uuid:public_id>/", plans.plan_detail, name="plan"),
    path("chi-tieu/<uuid:public_id>/them/", plans.target_edit, name="target_create"),
    path(
        "chi-tieu/<uuid:public_id>/<int:target_id>/sua/",
        plans.target_edit,
        name="target_edit",
    ),
    path(
        "chi-tieu/<uuid:public_id>/<int:target_id>/giao/",
        plans.target_assign,
        name="target_assign",
    ),
    path(_sheet, sheet.sheet, name="sheet"),
    path(_sheet + "xem-truoc/", sheet.sheet_preview, name="preview"),
    path(_sheet + "gui/", sheet.sheet_submit, name="submit"),
    path(_sheet + "<str:decision>/", sheet.sheet_decide, name="decide"),
    path(_sheet + "excel/tai-ve/", workbook.sheet_download, name="download"),
    path(_sheet + "excel/tai-len/", workbook.sheet_upload, name="upload"),
    path(
        "ket-qua/<uuid:public_id>/chi-tieu/<int:target_id>/lich-su/",
        sheet.target_history,
        name="history",
    ),
]
