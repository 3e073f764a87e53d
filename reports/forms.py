from __future__ import annotations

import datetime as dt

from django import forms

from organizations.forms import CrispyForm, _date_field
from reports.models import (
    Authority,
    Document,
    DocumentType,
    Secrecy,
    SignerPosition,
    Urgency,
)


class DocumentCreateForm(CrispyForm):
    submit_label = "Tạo dự thảo"
    doc_type = forms.ChoiceField(label="Loại văn bản", choices=DocumentType.choices)
    year = forms.IntegerField(
        label="Năm", min_value=2000, max_value=2100, initial=dt.date.today().year
    )
    quarter = forms.TypedChoiceField(
        label="Quý (báo cáo quý)",
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    dated = _date_field("Ngày văn bản", required=False)
    basis = forms.ChoiceField(
        label="Số liệu tổng hợp từ cấp dưới",
        choices=[
            ("approved", "Chỉ báo cáo đã duyệt"),
            ("submitted", "Kể cả báo cáo đã gửi, chưa duyệt"),
        ],
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        data["basis"] = data.get("basis") or "approved"
        if data.get("doc_type") == DocumentType.QUARTERLY and not data.get("quarter"):
            self.add_error("quarter", "Chọn quý cho báo cáo quý.")
        return data


class DocumentHeaderForm(CrispyForm):
    submit_label = "Lưu đầu văn bản"
    version = forms.IntegerField(widget=forms.HiddenInput)
    superior_name = forms.CharField(
        label="Cơ quan cấp trên trực tiếp",
        max_length=255,
        help_text=(
            "Dấu | là chỗ xuống dòng ở đầu văn bản; để trống dấu | thì hệ thống tự "
            "ngắt dòng cho cân."
        ),
    )
    issuer_name = forms.CharField(
        label="Cơ quan ban hành",
        max_length=255,
        help_text=(
            "Ví dụ: ĐẢNG ỦY KHỐI CÁC CƠ QUAN|VÀ DOANH NGHIỆP TỈNH (dấu | là chỗ "
            "xuống dòng)."
        ),
    )
    place = forms.CharField(label="Địa danh", max_length=80)
    dated = _date_field("Ngày văn bản")
    abstract = forms.CharField(label="Trích yếu", max_length=500)
    authority = forms.ChoiceField(label="Thẩm quyền ký", choices=Authority.choices)
    signer_position = forms.ChoiceField(
        label="Chức vụ người ký", choices=SignerPosition.choices
    )
    signer_name = forms.CharField(label="Người ký", max_length=120, required=False)
    recipients = forms.CharField(
        label="Nơi nhận (mỗi dòng một nơi)", widget=forms.Textarea(attrs={"rows": 4})
    )
    secrecy = forms.ChoiceField(label="Độ mật", choices=Secrecy.choices, required=False)
    urgency = forms.ChoiceField(
        label="Độ khẩn", choices=Urgency.choices, required=False
    )

    @classmethod
    def for_document(
        cls, document: Document, data: object = None
    ) -> DocumentHeaderForm:
        initial = {
            name: getattr(document, name)
            for name in cls.base_fields
            if name != "version"
        }
        initial["version"] = document.version
        return cls(data, initial=initial)
