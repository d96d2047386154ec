"""The texts Sandtable's server writes, in English and Chinese, from one catalog.

The catalog is data (``messages.json`` next to this module): each key maps to
``{"en": ..., "zh": ...}`` with the same ``{placeholders}`` in both. Code names a text by
its key and parameters (:func:`msg`), and whoever shows it picks the language
(:meth:`Msg.render`): the web layer from the user's choice, logs and the CLI in English.

A parameter may itself be bilingual: a place or station name (:class:`Name`, English and
Chinese) or another :class:`Msg`; it is rendered in the same language as the sentence.
No Flask here: the domain layers raise errors carrying a :class:`Msg`
(:mod:`geodata.errors`) and ``web/errors.py`` renders it.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CATALOG_FILE",
    "LANGUAGES",
    "Joined",
    "Msg",
    "Name",
    "Said",
    "catalog",
    "joined",
    "language",
    "msg",
    "placeholders",
    "render",
    "text",
]

#: the languages of every text, the first being the default (logs, CLI, unknown choices)
LANGUAGES = ("en", "zh")
CATALOG_FILE = Path(__file__).with_name("messages.json")


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every key of the catalog with its texts (read once)."""
    data: dict[str, dict[str, str]] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return data


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a catalog text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language(value: str | None) -> str:
    """``value`` as one of :data:`LANGUAGES` ("zh-Hans", "zh_CN" are Chinese; else English)."""
    return "zh" if value and value.lower().replace("_", "-").startswith("zh") else "en"


@dataclass(frozen=True)
class Name:
    """A name in both languages; without a Chinese one the English one is used."""

    en: str
    zh: str | None = None

    def render(self, lang: str) -> str:
        """The name in ``lang``."""
        return (self.zh or self.en) if lang == "zh" else self.en


@dataclass(frozen=True)
class Msg:
    """A catalog key with its parameters, rendered in a language when shown."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        """The text in ``lang`` (English for an unknown language)."""
        return render(self.key, lang, **self.params)

    def both(self) -> dict[str, str]:
        """``{"en": ..., "zh": ...}``: for answers a page shows in either language."""
        return {lang: self.render(lang) for lang in LANGUAGES}

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class Joined(Msg):
    """Several texts (problems found in one request) as one, each in the same language."""

    parts: tuple[str | Msg | Name, ...] = ()

    def render(self, lang: str = "en") -> str:
        """The parts in ``lang``, joined by a semicolon."""
        return ("；" if lang == "zh" else "; ").join(text(p, lang) for p in self.parts)


class Said(str):
    """A catalog text that is also its English string.

    Where a list of plain English strings is kept and searched (the notes of a locate
    answer), a :class:`Said` behaves as the English text (compared, hashed, searched) and
    still renders in another language with :func:`text`.
    """

    msg: Msg

    def __new__(cls, message: Msg) -> Said:
        said = super().__new__(cls, message.render("en"))
        said.msg = message
        return said

    def __getnewargs__(self) -> tuple[Msg]:  # type: ignore[override]
        return (self.msg,)


def joined(parts: Sequence[str | Msg | Name]) -> Joined:
    """``parts`` as one text (see :class:`Joined`)."""
    return Joined("", {}, tuple(parts))


def msg(key: str, /, **params: Any) -> Msg:
    """The text ``key`` with ``params`` (checked: the key must be in the catalog).

    Raises
    ------
    KeyError
        If ``key`` is not in the catalog (a programming error, found by the tests).
    """
    if key not in catalog():
        raise KeyError(f"no message {key!r} in {CATALOG_FILE.name}")
    return Msg(key, params)


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, Said):
        return value.msg.render(lang)
    if isinstance(value, Msg | Name):
        return value.render(lang)
    if isinstance(value, list | tuple) and value and isinstance(value[0], Msg | Name):
        return ("、" if lang == "zh" else ", ").join(_value(v, lang) for v in value)
    return value


def render(key: str, lang: str = "en", /, **params: Any) -> str:
    """The catalog text ``key`` in ``lang`` with ``params`` filled in."""
    texts = catalog()[key]
    template = texts.get(lang) or texts["en"]
    return template.format(**{k: _value(v, lang) for k, v in params.items()})


def text(value: str | Msg | Name, lang: str = "en") -> str:
    """``value`` in ``lang``: a plain string is returned as it is."""
    if isinstance(value, Said):
        return value.msg.render(lang)
    return value if isinstance(value, str) else value.render(lang)
