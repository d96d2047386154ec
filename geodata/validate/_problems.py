"""The problems a region check finds, as catalog texts (English and Chinese).

A problem is a place (file, feature, geometry, cue) and what is wrong there. Both are
:class:`~geodata.i18n.Msg` values, so the one error raised names every problem in the
user's language (``details_in``) while ``details`` keeps the English the logs and the
tests read::

    trails.geojson: feature 3 (way_id='ok_west'): property 'quality' is 'guess', ...
    trails.geojson：要素 3（way_id='ok_west'）：属性 'quality' 为 'guess'（字符串），...

Values, ids and file names are quoted as they are; only the words around them change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from geodata.errors import DataValidationError
from geodata.i18n import Msg, Name, msg

__all__ = [
    "Problems",
    "Where",
    "at_cue",
    "at_feature",
    "at_geometry",
    "choices",
    "describe",
    "json_error",
    "quoted_list",
]

#: a place in the data: a file name, or a feature, geometry or cue in it
Where = str | Msg

_KINDS = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "list",
    dict: "object",
}

# json.JSONDecodeError.msg (the standard library's decoder) in Chinese
_JSON_ERRORS_ZH = {
    "Expecting value": "此处应有一个值",
    "Expecting property name enclosed in double quotes": "此处应有带双引号的属性名",
    "Expecting ',' delimiter": "此处应有分隔符 ','",
    "Expecting ':' delimiter": "此处应有分隔符 ':'",
    "Unterminated string starting at": "字符串没有结束",
    "Invalid control character at": "含有无效的控制字符",
    "Invalid \\escape": "含有无效的转义",
    "Invalid \\uXXXX escape": "含有无效的 '\\uXXXX' 转义",
    "Extra data": "结尾有多余内容",
}


@dataclass
class Problems:
    """Accumulates problems, in the order they are found."""

    items: list[Msg] = field(default_factory=list)

    def add(self, where: Where, problem: Msg) -> None:
        self.items.append(msg("validate.problem", where=where, problem=problem))

    def raise_if_any(self, region_id: str) -> None:
        """Raise one :class:`DataValidationError` listing every problem, if there is one."""
        if self.items:
            n = len(self.items)
            key = "validate.invalid_one" if n == 1 else "validate.invalid_many"
            raise DataValidationError(
                msg(key, region=repr(region_id), count=n), details=list(self.items)
            )


def describe(value: Any) -> Msg:
    """``value`` quoted (shortened) with its JSON kind: ``'guess' (a string)``."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = _KINDS.get(type(value))
    if kind is None:  # pragma: no cover - json never produces other types
        return msg("validate.described", value=text, kind=type(value).__name__)
    return msg("validate.described", value=text, kind=msg(f"validate.kind.{kind}"))


def quoted_list(items: Sequence[str]) -> Name:
    """Ids or allowed values: ``a, b`` in English, ``'a'、'b'`` in Chinese."""
    return Name(", ".join(items), "、".join(repr(i) for i in items))


def choices(allowed: Sequence[str]) -> Msg:
    """What a value must be: ``'trail'``, or ``one of a, b, c``."""
    if len(allowed) == 1:
        return msg("validate.choice", value=repr(allowed[0]))
    return msg("validate.choices", values=quoted_list(allowed))


def at_feature(name: str, index: int, id_field: str, props: Any) -> Msg:
    """``trails.geojson: feature 3 (way_id='ok_west')``, or without the id if it has none."""
    value = props.get(id_field) if isinstance(props, dict) else None
    if isinstance(value, str) and value.strip():
        return msg("validate.at_feature_id", file=name, index=index, field=id_field, id=repr(value))
    return msg("validate.at_feature", file=name, index=index)


def at_geometry(where: Where) -> Msg:
    """The geometry of the feature at ``where``."""
    return msg("validate.at_geometry", where=where)


def at_cue(name: str, index: int) -> Msg:
    """``cues.json: cue 3``."""
    return msg("validate.at_cue", file=name, index=index)


def json_error(reason: str) -> Name:
    """A JSON decoder's reason (``Expecting value``) in both languages."""
    return Name(reason, _JSON_ERRORS_ZH.get(reason, f"“{reason}”"))
