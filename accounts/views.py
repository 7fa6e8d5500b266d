"""One's own account: the profile, and a forgotten password reset by email (Django's
own views, throttled)."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django_ratelimit.core import is_ratelimited

from accounts import services
from accounts.client_ip import lockout_address
from accounts.forms import PortalPasswordResetForm, ProfileForm

logger = logging.getLogger("portal.auth")


def _address_key(group, request):
    return lockout_address(request) or "unknown"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's email and sends a link, valid for
    ``PASSWORD_RESET_TIMEOUT`` seconds, to every active account holding it. The page that
    follows is the same whether or not an account has that address, and so is the page
    when this address asked too often, and it comes after the same least time
    (``PASSWORD_RESET_MIN_SECONDS``); only a client asking too often from one network
    address is told to wait (it learns nothing about any account)."""

    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request,
            group="password-reset-address",
            key=_address_key,
            rate=settings.PASSWORD_RESET_ADDRESS_RATE,
            increment=True,
        ):
            logger.warning(
                "Password reset refused: too many requests from address=%s", _address_key("", request)
            )
            return render(request, "registration/password_reset_throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Sending takes time only when an account has the address: every accepted request
        # answers after the same least time, so that the delay does not tell either.
        started = time.monotonic()
        response = self._send_unless_limited(form)
        remaining = settings.PASSWORD_RESET_MIN_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return response

    def _send_unless_limited(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if is_ratelimited(
            self.request,
            group="password-reset-email",
            key=lambda group, request: email,
            rate=settings.PASSWORD_RESET_EMAIL_RATE,
            increment=True,
        ):
            # The same answer as a sent link: nobody learns whether the address exists.
            logger.warning("Password reset not sent: too many requests for one address")
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the email: a new password (the portal's password rules), which also
    lifts a login lockout of the account, since the owner has just proved who they are."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_lock_lift(username=form.user.get_username())
        logger.info("Password reset completed: user=%r", form.user.get_username())
        return response


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(user=user, **{name: form.cleaned_data[name] for name in form.fields})
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, "Đã lưu thông tin tài khoản.")
                return redirect("profile")
        messages.error(request, "Thông tin chưa được lưu: vui lòng sửa các lỗi được đánh dấu bên dưới.")
        # The ModelForm wrote the refused values on the user object; the page shows them
        # in the form but the database, and the menu, keep the saved ones.
        user.refresh_from_db()
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    return render(request, "accounts/profile.html", {"form": form})
