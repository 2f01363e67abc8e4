"""Downloads in CSV and Excel for every part of the portal: the tables and their writers
(tables.py), used by the staff exports and by a mentor's "Download my hours"."""
