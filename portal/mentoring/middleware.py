from django.utils import timezone

from portal.mentoring.models.program import ProgramSettings, _request_program


class ProgramTimeZoneMiddleware:
    """Show every date and read every date typed in the program's own time zone.

    The settings row is read once per request and shared with everything the request
    calls (``ProgramSettings.load()`` returns it until the response is made).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        program = ProgramSettings.load_for_request()
        request.program = program
        token = _request_program.set(program)
        timezone.activate(program.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _request_program.reset(token)
