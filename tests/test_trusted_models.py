"""`trusted` builds the same models, and the same JSON, as pydantic's model_construct."""

from pydantic import BaseModel, Field

from socialdesk.content.schemas import PostOut, StepOut
from socialdesk.core.trusted import trusted


class Plain(BaseModel):
    a: int
    b: str = "b"
    c: list[int] = Field(default_factory=list)
    d: int | None = None


class Aliased(BaseModel):
    a: int = Field(alias="A")


def same(left: BaseModel, right: BaseModel) -> None:
    assert type(left) is type(right)
    assert left.__dict__ == right.__dict__ and list(left.__dict__) == list(right.__dict__)
    assert left.model_fields_set == right.model_fields_set
    assert left.model_dump_json() == right.model_dump_json()


def test_every_field_given() -> None:
    same(trusted(Plain, d=4, c=[3], b="x", a=1), Plain.model_construct(d=4, c=[3], b="x", a=1))


def test_missing_fields_get_their_defaults_and_stay_unset() -> None:
    same(trusted(Plain, a=1), Plain.model_construct(a=1))
    built = trusted(Plain, a=1)
    assert built.c == [] and built.c is not trusted(Plain, a=1).c  # a fresh list each time
    assert built.model_dump_json(exclude_unset=True) == '{"a":1}'


def test_unknown_names_are_ignored_as_model_construct_does() -> None:
    same(trusted(Plain, a=1, e=5), Plain.model_construct(a=1, e=5))


def test_a_model_with_aliases_goes_to_model_construct() -> None:
    same(trusted(Aliased, A=3), Aliased.model_construct(A=3))


def test_nested_response_models() -> None:
    step = trusted(StepOut, kind="thread", position=1, text="t", status="scheduled", attempts=0, last_error=None,
                   external_id=None, external_url=None, published_at=None)
    assert step.model_dump_json() == StepOut.model_construct(
        kind="thread", position=1, text="t", status="scheduled", attempts=0, last_error=None, external_id=None,
        external_url=None, published_at=None).model_dump_json()
    assert "publications" in PostOut.model_fields
