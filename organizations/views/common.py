from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

from organizations.forms import AsOfForm


def as_of_day(request: HttpRequest) -> dt.date:
    form = AsOfForm(request.GET)
    if request.GET.get("ngay") and not form.is_valid():
        messages.warning(request, "Ngày không hợp lệ; đang hiển thị số liệu hôm nay.")
    return form.day()


def year_param(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("nam", "")
    if raw.isdigit() and 1930 <= int(raw) <= 2100:
        return int(raw)
    return default


def attach_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)
