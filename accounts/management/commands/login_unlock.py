"""Lift a login lockout before its cool-down ends (README, Security)."""

import ipaddress

from axes.models import AccessAttempt, AccessFailureLog
from django.core.management.base import BaseCommand, CommandError

from accounts.client_ip import IPV6_LOCKOUT_PREFIX
from accounts.services import login_lock_lift


class Command(BaseCommand):
    help = (
        "Mở khóa đăng nhập: xóa các lần đăng nhập sai của một tài khoản (mọi địa chỉ) "
        "hoặc của một địa chỉ (mọi tài khoản; địa chỉ IPv6 theo mạng /64)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="tên đăng nhập cần mở khóa")
        parser.add_argument("--address", help="địa chỉ IP cần mở chặn")

    def handle(self, *args, username=None, address=None, **options):
        if not username and not address:
            raise CommandError("Hãy ghi tên đăng nhập, hoặc --address <địa chỉ IP>.")
        if username:
            removed = login_lock_lift(username=username)
            self.stdout.write(f"Đã mở khóa tài khoản {username!r} ({removed} bản ghi đã xóa).")
        if address:
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                raise CommandError(f"{address!r} không phải địa chỉ IP.") from None
            if parsed.version == 6 and not parsed.ipv4_mapped:
                address = str(
                    ipaddress.ip_network(f"{parsed}/{IPV6_LOCKOUT_PREFIX}", strict=False).network_address
                )
            attempts, _ = AccessAttempt.objects.filter(ip_address=address).delete()
            failures, _ = AccessFailureLog.objects.filter(ip_address=address).delete()
            self.stdout.write(f"Đã mở chặn địa chỉ {address} ({attempts + failures} bản ghi đã xóa).")
