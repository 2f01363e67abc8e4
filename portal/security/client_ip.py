"""The real client address behind a reverse proxy.

``X-Forwarded-For`` is believed only when the connection comes from one of
``settings.TRUSTED_PROXIES`` (addresses or networks); anyone else could write any address
there and dodge the per-address limits, or blame someone else.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection comes from one of ``settings.TRUSTED_PROXIES``, so the
    headers it adds (``X-Forwarded-For``, ``X-Request-ID``) may be believed."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return remote is not None and _trusted(remote, networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the person making the request, as a string ("unknown" if none)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _trusted(remote, networks):
        return str(remote)
    # Walk the chain from the nearest hop back; the first address that is not one of our
    # proxies is the client. Anything left of it was written by the client itself.
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break
        if not _trusted(address, networks):
            return str(address)
    return str(remote)
