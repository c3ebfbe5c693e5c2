"""The Django admin's login view behind the same failed-login throttle as the API login."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from webapp.security.login_throttle import LoginThrottle


def _locked_out(message: str, retry_after: int) -> HttpResponse:
    response = HttpResponse(f"{message}\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@csrf_protect
def throttled_admin_login(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if request.method != "POST":
        return admin.site.login(request, **kwargs)
    account = str(request.POST.get("username", "")).strip().lower()
    throttle = LoginThrottle.for_request(request, account)
    lockout = throttle.lockout()
    if lockout is not None:
        return _locked_out(lockout.message, lockout.retry_after)
    response = admin.site.login(request, **kwargs)
    # the admin redirects after a login and re-renders its form (200) after a refused one
    user = getattr(request, "user", None)
    if (
        response.status_code == 302
        and user is not None
        and user.is_authenticated
        and (user.get_username().lower() == account)
    ):
        throttle.succeeded()
    else:
        throttle.failed()
    return response
