"""Compile gettext catalogues (.po) to the binary form Django reads (.mo), in Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, a system package; this does
the same for the plain catalogues kept in ``locale/`` with nothing to install, so a fresh
machine builds the translations with the rest of ``make install``. Fuzzy and untranslated
entries are left out, as ``msgfmt`` does, so their English is shown.
"""

import ast
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False
    references: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip()) if text.strip() else ""


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (the header is the entry with an empty msgid)."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish():
        nonlocal entry, key, started
        if started:
            entries.append(entry)
        entry, key, started = Entry(), None, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            if started and key is not None and key[0] != "comment":
                finish()
            entry.fuzzy = entry.fuzzy or "fuzzy" in [f.strip() for f in line[2:].split(",")]
            continue
        elif line.startswith("#:"):
            if started and key is not None:
                finish()
            entry.references.extend(line[2:].split())
            continue
        elif line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"A string with nothing before it: {raw!r}")
            name, index = key
            value = _unquote(line)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and key is not None and key[0] == "msgstr":
            finish()
        started = True
        if word.startswith("msgstr["):
            index = int(word[7:-1])
            entry.msgstr[index] = _unquote(rest)
            key = ("msgstr", index)
        elif word == "msgstr":
            entry.msgstr[0] = _unquote(rest)
            key = ("msgstr", 0)
        elif word in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, word, _unquote(rest))
            key = (word, 0)
        else:
            raise ValueError(f"Not a gettext line: {raw!r}")
    finish()
    return [e for e in entries if not e.obsolete]


def mo_bytes(entries: list[Entry]) -> bytes:
    """The .mo file for these entries (GNU format, little-endian, no hash table)."""
    catalogue: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.msgid and (entry.fuzzy or not entry.translated):
            continue
        if not entry.msgid and not entry.msgstr.get(0):
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\x00" + entry.msgid_plural
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        value = "\x00".join(entry.msgstr[i] for i in sorted(entry.msgstr))
        catalogue[key.encode()] = value.encode()
    keys = sorted(catalogue)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    originals = b"".join(k + b"\x00" for k in keys)
    table_originals, table_translations = [], []
    offset = data_at
    for k in keys:
        table_originals.append((len(k), offset))
        offset += len(k) + 1
    translations = b""
    for k in keys:
        v = catalogue[k]
        table_translations.append((len(v), offset))
        offset += len(v) + 1
        translations += v + b"\x00"
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, 0)
    tables = b"".join(struct.pack("<2I", *pair) for pair in table_originals)
    tables += b"".join(struct.pack("<2I", *pair) for pair in table_translations)
    return header + tables + originals + translations


def compile_po(path: Path) -> Path:
    """Write ``path`` (a .po file) as the .mo beside it; returns the .mo's path."""
    target = path.with_suffix(".mo")
    data = mo_bytes(parse_po(path.read_text(encoding="utf-8")))
    if target.exists() and target.read_bytes() == data:
        return target
    # Written beside and renamed, so a process reading it (a parallel test worker) never
    # sees half a file.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


def compile_all(locale_dirs) -> list[Path]:
    written = []
    for directory in locale_dirs:
        for po in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
            written.append(compile_po(po))
    return written
