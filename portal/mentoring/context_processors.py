from portal.mentoring.models import ProgramSettings


def program(request):
    return {"program": getattr(request, "program", None) or ProgramSettings.load()}
