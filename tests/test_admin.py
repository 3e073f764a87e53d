"""The Django admin works, in Vietnamese, for every registered model."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_user


@pytest.mark.django_db
def test_every_admin_changelist_and_form_renders_in_vietnamese(client, world):
    superuser = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Quản trị dữ liệu" in index and "Tổ chức đảng" in index
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:%s_%s_changelist" % info))
        assert changelist.status_code == 200, info
        assert 'lang="vi"' in changelist.content.decode()
        obj = model.objects.first()
        if obj is not None:
            assert client.get(reverse("admin:%s_%s_change" % info, args=[obj.pk])).status_code == 200, info
