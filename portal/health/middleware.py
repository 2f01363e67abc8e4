"""Answers the load balancer's probes before the rest of the middleware.

Placed above SecurityMiddleware in settings.MIDDLEWARE, so a probe is answered

- over plain http, without the redirect to https (load balancers often probe the server
  itself, not the public https address);
- whatever its Host header, without the ALLOWED_HOSTS check: load balancers often probe
  by the server's IP address. That is safe here because these two answers never use the
  Host header (no link, no redirect, nothing cached), and hold nothing about anyone;
- without a session, a user or a CSRF cookie: liveness touches no database at all.

Every other path, /.well-known/security.txt included, goes through the full stack.
"""

from django.urls import NoReverseMatch, reverse

from portal.health import views


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._probes: dict[str, object] | None = None

    def probes(self) -> dict:
        if self._probes is None:
            try:
                # With or without the final slash: a probe is never redirected.
                self._probes = {
                    reverse("health:live").rstrip("/"): views.live,
                    reverse("health:ready").rstrip("/"): views.ready,
                }
            except NoReverseMatch:  # a URL configuration without them: nothing to answer
                self._probes = {}
        return self._probes

    def __call__(self, request):
        # Load balancers probe without a query string; anything with one goes through the
        # whole stack like every other request (its host check, its 400 page for control
        # characters), since the shortcut is only safe for the plain probe.
        view = (
            None
            if request.META.get("QUERY_STRING")
            else self.probes().get(request.path_info.rstrip("/"))
        )
        if view is not None:
            return view(request)
        return self.get_response(request)
