"""Spanish dates and numbers as Latin American readers write them: Mexico's formats
(a decimal point, "1.50 horas", as on the session form), not Spain's decimal comma."""

from django.conf.locale.es_MX.formats import *  # noqa: F403
