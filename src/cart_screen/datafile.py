"""What every model read from a data file shares: strict keys, frozen values, bilingual text."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Language = Literal["en", "zh"]


class DataModel(BaseModel):
    """A value read from a rule or vocabulary file; an unknown key is refused, naming what is allowed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'; allowed: {allowed}",
                        {"key": key, "allowed": ", ".join(allowed)},
                    )
        return data


class Text(DataModel):
    """One human text in both languages; rule files write it as `{en: ..., zh: ...}`."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def __call__(self, language: Language = "en") -> str:
        return self.zh if language == "zh" else self.en
