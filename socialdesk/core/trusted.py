"""Pydantic models from trusted values, as `BaseModel.model_construct` builds them, for less CPU.

A posts API page builds ~150 models from database rows; pydantic's `model_construct` looks at every field's
aliases on every call, and that was about a quarter of the page's CPU. `trusted` works out once per model
class which fields it has and fills `__dict__` in the fields' order (the JSON is written in that order), so
the models, and their JSON, are the same as `model_construct` gives.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

M = TypeVar("M", bound=BaseModel)

# Per model class: its fields in order and their names, or None where model_construct must be used (aliases,
# extra fields kept, a root model, a post-init hook or private attributes).
_plans: dict[type[BaseModel], tuple[list[tuple[str, FieldInfo]], frozenset[str]] | None] = {}


def _plan(cls: type[BaseModel]) -> tuple[list[tuple[str, FieldInfo]], frozenset[str]] | None:
    fields = list(cls.__pydantic_fields__.items())
    plain = (all(f.alias is None and f.validation_alias is None for _, f in fields)
             and cls.model_config.get("extra") != "allow" and not cls.__pydantic_root_model__
             and not cls.__pydantic_post_init__ and not cls.__private_attributes__)
    plan = (fields, frozenset(name for name, _ in fields)) if plain else None
    _plans[cls] = plan
    return plan


def trusted(cls: type[M], /, **values: Any) -> M:
    """cls.model_construct(**values): no validation, defaults filled in for the fields not given."""
    plan = _plans[cls] if cls in _plans else _plan(cls)
    if plan is None:
        return cls.model_construct(**values)
    fields, names = plan
    if values.keys() == names:  # every field given: the usual case
        fields_values = {name: values[name] for name, _ in fields}
        fields_set = set(names)
    else:
        fields_values = {}
        for name, field in fields:
            if name in values:
                fields_values[name] = values[name]
            elif not field.is_required():
                fields_values[name] = field.get_default(call_default_factory=True, validated_data=fields_values)
        fields_set = set(values.keys() & names)
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", fields_values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
