"""One-line messages from pydantic's validation errors: the key, the value and the expected type and range."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.experiment.errors import describe_field, one_line, unknown_key


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    rate: float = Field(0.5, gt=0, le=1)
    width: int = Field(1, ge=1)
    sizes: list[int] = Field(default_factory=list)


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    mode: Literal["a", "b"] = "a"
    limit: float | None = Field(None, gt=0, allow_inf_nan=False)
    inner: Inner = Field(default_factory=Inner)


def message(data, where="the overrides"):
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate(data)
    return one_line(caught.value, Outer, where)


def test_fields_read_as_a_user_reads_them():
    assert describe_field(Inner.model_fields["rate"]) == "float in (0, 1]"
    assert describe_field(Inner.model_fields["width"]) == "int >= 1"
    assert describe_field(Outer.model_fields["limit"]) == "finite float > 0 | None"
    assert describe_field(Outer.model_fields["mode"]) == "one of ['a', 'b']"
    assert describe_field(Inner.model_fields["sizes"]) == "list[int]"


def test_messages_name_key_value_and_expectation():
    assert message({"inner": {"rate": 2}}) == "rate=2: expected float in (0, 1]"
    assert message({"inner": {"width": "3"}}) == "width='3': expected int >= 1, got str"
    assert message({"mode": "c"}) == "mode='c': expected one of ['a', 'b']"
    assert message({"inner": {"sizes": [1, "x"]}}) == "sizes[1]='x': expected int, got str"
    assert message({"inner": 3}) == "inner: expected a mapping of Inner fields, got 3"
    assert message({"inner": {"rate": 2, "width": 0}}) == "rate=2: expected float in (0, 1]; width=0: expected int >= 1"


def test_unknown_keys_suggest_and_say_where():
    flat = message({"widht": 2})
    assert flat.startswith("Unknown key 'widht' in the overrides (did you mean width?): expected one of ")
    assert message({"inner": {"rat": 1}}, "preset p.yaml").startswith(
        "Unknown key 'rat' in preset p.yaml (inner) (did you mean rate?)"
    )
    assert str(unknown_key("x", ["a"], "here")) == "Unknown key 'x' in here: expected one of a"
