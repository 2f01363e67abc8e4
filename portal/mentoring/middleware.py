from django.utils import timezone

from portal.mentoring.models import ProgramSettings


class ProgramTimeZoneMiddleware:
    """Show every date and read every date typed in the program's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        program = ProgramSettings.load()
        request.program = program
        timezone.activate(program.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
