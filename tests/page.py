"""Read a rendered page the way a person (or a screen reader) would: labels, fields, links,
the selected options and the visible text, without depending on exact markup.

A choice is read the same way whether it is a select or radio buttons in a fieldset: its
label is the select's label or the fieldset's legend, its options the options or the radio
buttons (each with its own label), selected when selected or checked."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Option:
    value: str
    text: str
    selected: bool


@dataclass
class Page:
    text: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # id of the field -> label text
    inputs: list[dict[str, str | None]] = field(default_factory=list)
    selects: dict[str, list[Option]] = field(default_factory=dict)
    textareas: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    legends: dict[str, str] = field(default_factory=dict)  # name of radio buttons -> legend

    def input(self, name: str, **attrs: str) -> dict[str, str | None]:
        for tag in self.inputs:
            if tag.get("name") == name and all(tag.get(k) == v for k, v in attrs.items()):
                return tag
        raise AssertionError(f"No input named {name!r} with {attrs}")

    def label_for(self, name: str) -> str:
        if name in self.legends:
            return self.legends[name]
        return self.labels[self.input_id(name)]

    def input_id(self, name: str) -> str:
        for tag in self.inputs:
            if tag.get("name") == name and tag.get("id"):
                return tag["id"]
        return f"id_{name}"

    def options(self, name: str) -> list[Option]:
        """The options of a select, or the radio buttons of that name."""
        if name in self.selects:
            return self.selects[name]
        radios = [
            tag for tag in self.inputs if tag.get("name") == name and tag.get("type") == "radio"
        ]
        if not radios:
            raise KeyError(name)
        return [
            Option(
                value=tag.get("value") or "",
                text=self.labels.get(tag.get("id") or "", ""),
                selected="checked" in tag,
            )
            for tag in radios
        ]

    def selected(self, name: str) -> list[str]:
        """The text of the selected options of a select (or the checked radio button)."""
        return [option.text for option in self.options(name) if option.selected]

    def selected_values(self, name: str) -> list[str]:
        return [option.value for option in self.options(name) if option.selected]

    def checked(self, name: str) -> list[str]:
        return [
            tag.get("value") or "on"
            for tag in self.inputs
            if tag.get("name") == name and "checked" in tag
        ]

    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}

    def link_to(self, text: str) -> str:
        for href, link_text in self.links:
            if link_text == text:
                return href
        raise AssertionError(f"No link {text!r} in {[t for _, t in self.links]}")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.chunks: list[str] = []
        self.label: tuple[str, list[str]] | None = None
        self.select: str | None = None
        self.option: tuple[dict, list[str]] | None = None
        self.textarea: tuple[str, list[str]] | None = None
        self.link: tuple[str, list[str]] | None = None
        self.skip = 0  # inside <script> or <style>
        self.fieldsets: list[dict] = []  # open fieldsets: their legend and radio names
        self.legend: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "label":
            self.label = (attrs.get("for") or "", [])
        elif tag == "input":
            self.page.inputs.append(attrs)
            if attrs.get("type") == "radio" and self.fieldsets:
                self.fieldsets[-1]["names"].add(attrs.get("name") or "")
        elif tag == "fieldset":
            self.fieldsets.append({"legend": "", "names": set()})
        elif tag == "legend":
            self.legend = []
        elif tag == "select":
            self.select = attrs.get("name") or ""
            self.page.selects[self.select] = []
        elif tag == "option":
            self.option = (attrs, [])
        elif tag == "textarea":
            self.textarea = (attrs.get("name") or "", [])
        elif tag == "a":
            self.link = (attrs.get("href") or "", [])
        elif tag in ("p", "li", "div", "h1", "h2", "h3", "br", "dt", "dd", "tr", "th", "td"):
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "legend" and self.legend is not None:
            if self.fieldsets:
                self.fieldsets[-1]["legend"] = _squash("".join(self.legend))
            self.legend = None
        elif tag == "fieldset" and self.fieldsets:
            group = self.fieldsets.pop()
            for name in group["names"]:
                self.page.legends[name] = group["legend"]
        elif tag == "label" and self.label:
            self.page.labels[self.label[0]] = _squash("".join(self.label[1]))
            self.label = None
        elif tag == "option" and self.option is not None and self.select is not None:
            attrs, text = self.option
            text = _squash("".join(text))
            value = attrs.get("value")
            self.page.selects[self.select].append(
                Option(
                    value=text if value is None else value, text=text, selected="selected" in attrs
                )
            )
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            value = "".join(text)
            # Browsers drop the one newline that follows <textarea>; Django adds it.
            self.page.textareas[name] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "a" and self.link:
            href, text = self.link
            self.page.links.append((href, _squash("".join(text))))
            self.link = None

    def handle_data(self, data):
        if self.skip:
            return
        for part in (self.label, self.option, self.textarea, self.link):
            if part is not None:
                part[1].append(data)
        if self.legend is not None:
            self.legend.append(data)
        if self.textarea is None:
            self.chunks.append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


def read_page(response_or_html) -> Page:
    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = "\n".join(
        _squash(line) for line in "".join(reader.chunks).splitlines() if line.strip()
    )
    return reader.page
