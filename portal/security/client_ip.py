"""The real client address behind a reverse proxy, and the client the limits count.

``X-Forwarded-For`` is believed only when the connection comes from one of
``settings.TRUSTED_PROXIES`` (addresses or networks); anyone else could write any address
there and dodge the per-address limits, or blame someone else.

Limits count an IPv4 client by its address but an IPv6 client by its /64 network: one
home or phone gets a whole /64 and may pick any address in it, so counting addresses one
by one would give a single machine 2**64 fresh starts.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


IPV6_GROUP = 64  # the prefix length one IPv6 client is counted by


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address, with an IPv4 address written as IPv6 (``::ffff:203.0.113.5``, as a
    dual-stack socket reports it) taken as the IPv4 address it is."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


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


def client_group(address: str) -> str:
    """What the limits count for a client at ``address``: the IPv4 address itself, or the
    IPv6 /64 it is in ("2001:db8:1:2::/64"). Anything unreadable is one group, "unknown"."""
    parsed = _parse(address)
    if parsed is None:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    return str(ipaddress.IPv6Network((parsed, IPV6_GROUP), strict=False))


def client_for_limits(request: HttpRequest) -> str:
    """The client of ``request`` as the limits count it (see ``client_group``)."""
    return client_group(client_ip(request))
