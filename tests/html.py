"""A small HTML reader for assertions on what a user sees (stdlib only).

`parse(html)` returns the document's elements in order; each has `tag`, `attrs`, `text`
(all text inside it) and its ancestors' tags. Tests query it with `find`, `by_id`, `field`
and `field_error`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: tuple[str, ...]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class Document:
    def __init__(self, elements: list[Element], text: str) -> None:
        self.elements = elements
        self.text = text

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag (any if None) whose attributes equal the given ones
        (`class_` matches one class among several)."""
        wanted_class = attrs.pop("class_", None)
        found = []
        for el in self.elements:
            if tag is not None and el.tag != tag:
                continue
            if wanted_class is not None and not el.has_class(wanted_class):
                continue
            if all(el.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                found.append(el)
        return found

    def by_id(self, element_id: str) -> Element:
        matches = [el for el in self.elements if el.attrs.get("id") == element_id]
        assert matches, f"no element with id={element_id!r}"
        return matches[0]

    def has_id(self, element_id: str) -> bool:
        return any(el.attrs.get("id") == element_id for el in self.elements)

    def field(self, name: str) -> Element:
        """The form control named `name` (input, select or textarea)."""
        for el in self.elements:
            if el.tag in {"input", "select", "textarea"} and el.attrs.get("name") == name:
                return el
        raise AssertionError(f"no form control named {name!r}")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.all_text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        el = Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.open))
        self.elements.append(el)
        if tag not in VOID:
            self.open.append(el)

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.elements.append(
            Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.open))
        )

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.all_text.append(data)
        for el in self.open:
            el.parts.append(data)


def parse(html: str | bytes) -> Document:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return Document(builder.elements, " ".join("".join(builder.all_text).split()))


def field_error(doc: Document, field_id: str) -> str:
    """The error shown beside a field, checked to be tied to the input for screen readers."""
    error = doc.by_id(f"{field_id}-error")
    control = doc.by_id(field_id)
    assert f"{field_id}-error" in control.attrs.get("aria-describedby", "").split(), (
        f"{field_id} is not described by its error"
    )
    assert control.attrs.get("aria-invalid") == "true"
    return error.text
