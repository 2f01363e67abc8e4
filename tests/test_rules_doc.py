"""Every "RULES 4.7" cited in the code, the templates and the tests names a rule that
docs/RULES.md has, so a reader can always look it up."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"RULES (?:section )?(\d+(?:\.\d+)?)")


def numbers_in_rules() -> set[str]:
    numbers, section = set(), None
    for line in (ROOT / "docs" / "RULES.md").read_text().splitlines():
        if heading := re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", line):
            numbers.add(heading[1])
            section = heading[1].split(".")[0]
        elif (item := re.match(r"(\d+)\. ", line)) and section:
            numbers.add(f"{section}.{item[1]}")
    return numbers


def citations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in ("portal", "templates", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            for number in CITATION.findall(path.read_text(encoding="utf-8")):
                found.setdefault(number, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_rules_have_their_numbers():
    numbers = numbers_in_rules()
    assert {"2", "3", "3.1", "4.1", "4.7", "4.16", "5", "6", "7"} <= numbers
    assert {f"4.{n}" for n in range(1, 17)} <= numbers


def test_every_citation_names_a_rule_of_docs_rules():
    numbers = numbers_in_rules()
    cited = citations()
    assert "4.7" in cited  # the search finds the citations
    unknown = {number: paths for number, paths in cited.items() if number not in numbers}
    assert unknown == {}
