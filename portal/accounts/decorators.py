"""Role checks for views. Signed-out visitors go to the sign-in page; other roles get 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*predicates: str):
    """Allow users for whom any of the named ``User`` properties is true."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not any(getattr(request.user, name) for name in predicates):
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


mentor_required = role_required("is_mentor")
staff_required = role_required("is_program_staff")
site_contact_required = role_required("is_site_contact")
