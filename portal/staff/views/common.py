"""What the staff pages share: paging, the filtered lists and the administrators' check."""

from portal.accounts.decorators import role_required
from portal.lib.paging import PAGE_SIZE, paginate, query_without_page, render_list

admin_required = role_required("is_administrator")

__all__ = ["PAGE_SIZE", "admin_required", "paginate", "query_without_page", "render_list"]
