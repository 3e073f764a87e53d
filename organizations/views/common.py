from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


# A form page's save step: takes the form's cleaned data, calls one service and
# returns the success message and the redirect; a ValidationError it raises is
# shown on the form.
Save = Callable[[dict[str, Any]], tuple[str, HttpResponse]]


def form_page(
    request: HttpRequest, form: Form, save: Save, **context: object
) -> HttpResponse:
    """The flow every simple form page shares: GET (or an invalid POST) shows
    `organizations/form.html`; a valid POST runs `save`, then redirects with its
    message, or shows the service's errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            message, response = save(form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, message)
            return response
    return render(request, "organizations/form.html", {"form": form, **context})
