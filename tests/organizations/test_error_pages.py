"""Error pages with DEBUG off: Vietnamese, with the access selectors' message."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_403_shows_the_reason_in_vietnamese_with_a_link_home(client, world, cadre):
    client.force_login(cadre)
    url = reverse(
        "organizations:edit", kwargs={"public_id": world.grassroots_a.public_id}
    )
    response = client.get(url)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Không có quyền truy cập" in body
    assert "Bạn không có quyền sửa tổ chức này." in body
    assert f'href="{reverse("organizations:home")}"' in body
    assert "Forbidden" not in body


@override_settings(DEBUG=False)
def test_a_404_shows_the_selectors_message_or_a_vietnamese_default(
    client, world, outsider
):
    client.force_login(outsider)
    url = reverse(
        "organizations:member_detail", kwargs={"public_id": world.member_a.public_id}
    )
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang" in body and "Không tìm thấy đảng viên." in body
    assert "Not Found" not in body

    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Trang bạn tìm không có hoặc đã bị chuyển đi." in body
    assert "Resolver404" not in body and "Not Found" not in body


@override_settings(DEBUG=False)
def test_a_404_for_an_anonymous_visitor_renders_too(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_500_and_400_render_without_a_request_or_context():
    # Django renders them with no context at all, after something failed.
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.content.decode()
    response = defaults.bad_request(request, exception=ValueError("x"))
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_token_is_refused_in_vietnamese_and_nothing_saved(
    world, office
):
    from django.test import Client

    from organizations.models import Organization

    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    url = reverse(
        "organizations:edit", kwargs={"public_id": world.grassroots_a.public_id}
    )
    before = Organization.objects.get(pk=world.grassroots_a.pk).name
    response = client.post(url, {"name": "Tên mới"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Không gửi được biểu mẫu" in body and "dữ liệu chưa được lưu" in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body
    assert Organization.objects.get(pk=world.grassroots_a.pk).name == before
