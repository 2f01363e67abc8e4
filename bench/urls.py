"""The portal's addresses plus /bench/ceiling/, served only under bench.settings."""

from django.urls import path

from bench import views
from portal.urls import handler400, handler403, handler404, handler500, urlpatterns

urlpatterns = [path("bench/ceiling/<int:pk>/", views.ceiling, name="bench_ceiling"), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
