"""The client's address, as far as the portal can trust it (lockout and the auth log).

REMOTE_ADDR is the peer of the connection and cannot be forged. X-Forwarded-For can be
written by anyone, so it counts only when ``TRUSTED_PROXY_COUNT`` reverse proxies stand in
front of the portal: each appends the address it received the request from, so the entry
that many places from the right was written by the outermost trusted proxy; everything to
its left came from the client and is ignored.
"""

import ipaddress

from django.conf import settings


def client_ip_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # The request did not pass through every proxy (or one is misconfigured): the
        # connection's own peer is the only address nobody could have chosen.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


# One IPv6 subscriber usually gets a whole /64 and may use any address in it.
IPV6_LOCKOUT_PREFIX = 64


def lockout_address(request) -> str | None:
    """The address that login attempts are counted by (django-axes and the wider limits
    of accounts.lockout): the client's address, but an IPv6 client by its /64 network,
    so that walking through the addresses of one network counts as one address."""
    address = client_ip_address(request)
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_LOCKOUT_PREFIX}", strict=False).network_address)
    return str(parsed)
