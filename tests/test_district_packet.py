"""The district packet (docs/district/) and docs/SECURITY.md name real things.

A district reads these pages to decide whether the portal may hold its pupils' data, so
they must not drift from the code: a field about a child without a row in the data
inventory fails here, and so does a page that names a test, a field, a setting or a
scheduled job that does not exist (a renamed test fails until its page is updated).

Test references are written as on docs/SECURITY.md: ``tests/x.py::test_name``, or
``::test_name`` and a test name alone for a test of the last file named before it on
the same page.
"""

import ast
import glob
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from portal.mentoring.models import Mentee, SessionLog
from portal.schedule import SCHEDULED_JOBS
from tests.test_child_text import children_models

ROOT = Path(__file__).resolve().parent.parent
PACKET = ROOT / "docs" / "district"
INVENTORY = PACKET / "DATA_INVENTORY.md"
RETENTION = PACKET / "RETENTION.md"
SECURITY = ROOT / "docs" / "SECURITY.md"
README = ROOT / "README.md"


def packet_pages() -> list[Path]:
    return sorted(PACKET.glob("*.md"))


def pages_naming_tests() -> list[Path]:
    return [SECURITY, *packet_pages()]


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


# --- Test references -----------------------------------------------------------------

FILE_REFERENCE = re.compile(r"(tests/[\w/*.-]+\.py)(?:::(\w+)(?:\[[^\]]*\])?)?")
NAME_REFERENCE = re.compile(r"(?:::)?(test_\w+)(?:\[[^\]]*\])?")


@cache
def functions_in(path: Path) -> frozenset[str]:
    """Functions of a test file: module level, and methods of its classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return frozenset(names)


@dataclass(frozen=True)
class Reference:
    written: str
    file: Path | None
    name: str | None

    def problem(self) -> str:
        if self.file is None:
            return f"`{self.written}`: no test file named before it"
        if not self.file.exists():
            return f"`{self.written}`: no file {self.file.relative_to(ROOT)}"
        if self.name and self.name not in functions_in(self.file):
            return f"`{self.written}`: no {self.name} in {self.file.relative_to(ROOT)}"
        return ""


def references_in(text: str) -> list[Reference]:
    """Every test a page names, each with the file it belongs to."""
    references, current = [], None
    for span in code_spans(text):
        if match := FILE_REFERENCE.fullmatch(span):
            found = sorted(glob.glob(str(ROOT / match[1])))
            current = Path(found[0]) if found else ROOT / match[1]
            references.append(Reference(span, current, match[2]))
        elif match := NAME_REFERENCE.fullmatch(span):
            references.append(Reference(span, current, match[1]))
    return references


def reference_problems(text: str) -> list[str]:
    return [problem for ref in references_in(text) if (problem := ref.problem())]


def test_the_reference_check_finds_a_missing_test_and_a_missing_file():
    text = (
        "`tests/test_district_packet.py::test_no_such_test` "
        "`tests/test_district_packet.py` `::test_the_readme_links_to_the_packet` "
        "`test_not_here_either` `tests/test_no_such_file.py`"
    )
    problems = reference_problems(text)
    assert len(problems) == 3, problems
    assert "no test_no_such_test" in problems[0]
    assert "no test_not_here_either" in problems[1]
    assert "no file tests/test_no_such_file.py" in problems[2]
    assert reference_problems("`::test_name_before_any_file`") == [
        "`::test_name_before_any_file`: no test file named before it"
    ]


@pytest.mark.parametrize("page", pages_naming_tests(), ids=lambda page: page.name)
def test_every_test_named_in_the_docs_exists(page):
    text = page.read_text(encoding="utf-8")
    assert references_in(text), f"{page.name} names no test"
    problems = reference_problems(text)
    assert not problems, f"{page.relative_to(ROOT)}:\n" + "\n".join(problems)


def table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row; a | inside a code span is not a separator."""
    cells, cell, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    return [*cells, cell.strip()]


def security_control_rows() -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row of the tables headed "check | test | left"."""
    rows, in_table = [], False
    for number, line in enumerate(SECURITY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            in_table = False
        elif table_cells(line)[:2] == ["check", "test"]:
            in_table = True
        elif in_table and not line.startswith("|---"):
            rows.append((number, table_cells(line)))
    return rows


def names_something_that_runs(cell: str) -> bool:
    """A test reference, or a checked-in file that is run as a check (the load test)."""
    for span in code_spans(cell):
        if FILE_REFERENCE.fullmatch(span) or NAME_REFERENCE.fullmatch(span):
            return True
        if re.fullmatch(r"[\w/.-]+\.py", span) and (ROOT / span).is_file():
            return True
    return False


def test_every_row_of_the_security_tables_names_a_test():
    rows = security_control_rows()
    assert len(rows) > 50, "the security tables were not found"
    missing = [f"line {n}: {cells[0][:80]}" for n, cells in rows if len(cells) < 2]
    missing += [
        f"line {n}: {cells[0][:80]}"
        for n, cells in rows
        if len(cells) >= 2 and not names_something_that_runs(cells[1])
    ]
    assert not missing, "rows whose test column names no test:\n" + "\n".join(missing)


# --- The data inventory --------------------------------------------------------------


@cache
def inventory_fields() -> frozenset[str]:
    """Every `Model.field` named in the first cell of a row of the inventory's tables."""
    named = set()
    for line in INVENTORY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            named |= {
                span for span in code_spans(table_cells(line)[0]) if re.fullmatch(r"\w+\.\w+", span)
            }
    return frozenset(named)


CHILD_TEXT = sorted(
    f"{model.__name__}.{name}" for model in children_models() for name in model.CHILD_TEXT_FIELDS
)


@pytest.mark.parametrize("field", CHILD_TEXT)
def test_the_inventory_has_a_row_for_every_child_text_field(field):
    assert field in inventory_fields(), (
        f"{field} is text about a child (CHILD_TEXT_FIELDS): add its row to "
        "docs/district/DATA_INVENTORY.md (who sees it, how long it is kept, how it is "
        "erased, where it can leave the portal)"
    )


@pytest.mark.parametrize(
    "name", [field.name for field in Mentee._meta.get_fields() if field.concrete]
)
def test_the_inventory_has_a_row_for_every_mentee_field(name):
    assert f"Mentee.{name}" in inventory_fields(), (
        f"Mentee.{name} has no row in docs/district/DATA_INVENTORY.md"
    )


@pytest.mark.parametrize("name", SessionLog.ENTERED_FIELDS)
def test_the_inventory_has_a_row_for_every_field_a_mentor_enters(name):
    assert f"SessionLog.{name}" in inventory_fields(), (
        f"SessionLog.{name} has no row in docs/district/DATA_INVENTORY.md"
    )


def test_the_inventory_check_reads_the_tables():
    """Guard against a check that passes on nothing: the rows are found, prose is not."""
    assert {"Mentee.first_name", "SessionLog.notes", "NeedNote.text"} <= inventory_fields()
    assert "SupportRequest.name" not in inventory_fields()  # named in a second cell only


# --- Fields, settings and jobs the pages name -----------------------------------------


def model_named(name: str):
    for model in apps.get_models():
        if model.__name__ == name:
            return model
    return None


def test_the_packet_names_fields_and_settings_that_exist():
    problems = []
    for page in packet_pages():
        for span in code_spans(page.read_text(encoding="utf-8")):
            if match := re.fullmatch(r"([A-Z]\w+)\.(\w+)", span):
                model = model_named(match[1])
                if model is not None and not hasattr(model, match[2]):
                    problems.append(f"{page.name}: {span} is not on {match[1]}")
            elif re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", span) and not hasattr(
                settings, span
            ):
                problems.append(f"{page.name}: no setting {span}")
    assert not problems, "\n".join(problems)


def retention_job_names() -> set[str]:
    """The jobs listed in the first column of the retention page's "job" table."""
    names, in_table = set(), False
    for line in RETENTION.read_text(encoding="utf-8").splitlines():
        if line.startswith("| job |"):
            in_table = True
        elif in_table and line.startswith("| `"):
            names |= set(code_spans(table_cells(line)[0]))
        elif not line.startswith("|"):
            in_table = False
    return names


def test_the_retention_schedule_names_every_scheduled_job():
    listed = retention_job_names()
    assert listed == set(SCHEDULED_JOBS), (
        f"missing from docs/district/RETENTION.md: {sorted(set(SCHEDULED_JOBS) - listed)}; "
        f"not a job of portal/schedule.py: {sorted(listed - set(SCHEDULED_JOBS))}"
    )


# --- Links ---------------------------------------------------------------------------


def relative_links(page: Path) -> list[str]:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    return [link for link in links if not re.match(r"[a-z]+:", link)]


def test_the_readme_links_to_the_packet():
    text = README.read_text(encoding="utf-8")
    assert "## For a district's review" in text
    section = text.split("## For a district's review", 1)[1].split("\n## ", 1)[0]
    for page in ("README.md", "DATA_INVENTORY.md", "SUBPROCESSORS.md", "RETENTION.md"):
        assert f"docs/district/{page}" in section, page
    assert "docs/district/ACCESSIBILITY.md" in section


@pytest.mark.parametrize("page", [README, *packet_pages()], ids=lambda page: page.name)
def test_every_link_in_the_packet_leads_to_a_file(page):
    broken = [link for link in relative_links(page) if not (page.parent / link).exists()]
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


# --- Nothing loaded from another site ------------------------------------------------

OUTSIDE_ADDRESS = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


def test_the_outside_address_check_catches_each_form():
    for sample in (
        '<script src="https://cdn.example.com/x.js">',
        "<link href='//fonts.example.com/css'>",
        "body { background: url(https://example.com/a.png) }",
        '@import "https://example.com/a.css";',
    ):
        assert OUTSIDE_ADDRESS.search(sample), sample
    assert not OUTSIDE_ADDRESS.search('<a href="{{ url }}">') and not OUTSIDE_ADDRESS.search(
        "<script src=\"{% static 'js/portal.js' %}\">"
    )


def test_no_page_template_loads_anything_from_another_site():
    """No CDN, web font, analytics or outside script (docs/district/SUBPROCESSORS.md)."""
    files = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "static").rglob("*.css"),
        *(ROOT / "static").rglob("*.js"),
    ]
    assert len(files) > 20
    found = [
        f"{path.relative_to(ROOT)}: {match[0]}"
        for path in files
        for match in OUTSIDE_ADDRESS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
