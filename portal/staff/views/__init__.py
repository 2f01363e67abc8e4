"""The staff workspace: thin views over selectors (reads) and services (writes), one
module per page group; portal/staff/urls.py imports the modules."""
