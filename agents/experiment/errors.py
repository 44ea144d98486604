"""One-line messages for invalid settings: the key, the bad value, and what was expected.

Pydantic's ``ValidationError`` lists every error over several lines with links; a user of a script needs one line
that names what was wrong, so these helpers read the errors and the fields' types and ranges.
"""

from __future__ import annotations

import difflib
import types
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo


class ConfigError(ValueError):
    """An invalid setting: a one-line message naming the key, the value and what was expected."""


def _type_name(annotation: Any) -> str:
    """int, float | None, one of ['constant', 'linear'], list[int]."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in args).replace("NoneType", "None")
    if get_origin(annotation) is Literal:
        return f"one of {list(args)}"
    if get_origin(annotation) is list:
        return f"list[{_type_name(args[0])}]"
    return getattr(annotation, "__name__", str(annotation))


def _bounds(info: FieldInfo) -> str:
    """'>= 1', '> 0', 'in (0, 1]' from a field's Gt/Ge/Lt/Le constraints; '' when it has none."""
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Gt):
            low = f"({item.gt}"
        elif isinstance(item, annotated_types.Ge):
            low = f"[{item.ge}"
        elif isinstance(item, annotated_types.Lt):
            high = f"{item.lt})"
        elif isinstance(item, annotated_types.Le):
            high = f"{item.le}]"
    if low and high:
        return f"in {low}, {high}"
    if low:
        return f"{'>' if low[0] == '(' else '>='} {low[1:]}"
    if high:
        return f"{'<' if high[-1] == ')' else '<='} {high[:-1]}"
    return ""


def describe_field(info: FieldInfo) -> str:
    """A field's type and range as a user reads them: 'int >= 1', 'float in (0, 1]', 'float > 0 | None'."""
    name = _type_name(info.annotation)
    if any(getattr(item, "allow_inf_nan", True) is False for item in info.metadata):
        name = f"finite {name}"
    bounds = _bounds(info)
    if not bounds:
        return name
    main, _, rest = name.partition(" | ")
    return f"{main} {bounds}" + (f" | {rest}" if rest else "")


def _nested(model: type[BaseModel], path: list[str]) -> tuple[type[BaseModel], FieldInfo | None]:
    """The model that holds the last name of ``path``, and that name's field (None when unknown)."""
    for name in path[:-1]:
        annotation = model.model_fields[name].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        model = annotation
    return model, model.model_fields.get(path[-1]) if path else None


def _flat_keys(model: type[BaseModel]) -> list[str]:
    """Every key a user may set at the top level: the fields, with nested models' fields in place of theirs."""
    keys = []
    for name, info in model.model_fields.items():
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            keys += list(nested.model_fields)
        else:
            keys.append(name)
    return sorted(keys)


def unknown_key(key: str, known: list[str], where: str) -> ConfigError:
    """'Unknown key 'n_step' in the overrides (did you mean n_steps?): expected one of ...'."""
    close = difflib.get_close_matches(key, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return ConfigError(f"Unknown key {key!r} in {where}{hint}: expected one of {', '.join(known)}")


def _message(error: Any, model: type[BaseModel], where: str) -> str:
    names = [str(part) for part in error["loc"] if isinstance(part, str)]
    key = names[-1] if names else model.__name__
    key += "".join(f"[{part}]" for part in error["loc"] if isinstance(part, int))
    owner, info = _nested(model, names)
    if error["type"] == "extra_forbidden":
        known = _flat_keys(model) if len(names) == 1 else sorted(owner.model_fields)
        inside = f" ({', '.join(names[:-1])})" if len(names) > 1 else ""
        return str(unknown_key(names[-1], known, where + inside))
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    expected = describe_field(info) if info is not None else str(error["msg"])
    if info is not None and isinstance(error["loc"][-1], int):  # an item of a list
        expected = _type_name(get_args(info.annotation)[0])
    if error["type"] in ("model_type", "dict_type"):
        return f"{key}: expected a mapping of {expected} fields, got {error['input']!r}"
    got = f", got {type(error['input']).__name__}" if error["type"].endswith(("_type", "_parsing")) else ""
    return f"{key}={error['input']!r}: expected {expected}{got}"


def one_line(error: ValidationError, model: type[BaseModel], where: str) -> str:
    """Every error of a validation of ``model`` as one line, e.g. ``gamma=5.0: expected float in (0, 1]``."""
    return "; ".join(dict.fromkeys(_message(e, model, where) for e in error.errors()))
