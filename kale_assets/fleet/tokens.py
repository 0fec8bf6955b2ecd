"""The driver's side of an engine: its tokenizer only, for the alt-text budget (no weights are loaded here)."""

from __future__ import annotations

from kale_assets.engines import ModelSpec
from kale_assets.engines.base import ChatPrompts, PromptTokens
from kale_assets.prompts import AltTextBudget


class DriverTokens(PromptTokens):
    """`PromptTokens` over the model's own processor/tokenizer: the same cuts and special tokens the engine in
    an actor would apply, so a request built on the driver is the request the local path builds."""

    def __init__(self, spec: ModelSpec):
        if spec.engine == "cogvlm":
            # CogVLM's tokenizer is its own; it is only ever the teacher, which has no alt-text budget.
            raise ValueError("the cogvlm engine has no driver-side tokenizer; it serves the teacher role only")
        self.prompts = ChatPrompts(spec)


def driver_budget(spec: ModelSpec, max_tokens: int) -> AltTextBudget:
    return AltTextBudget.for_engine(max_tokens, DriverTokens(spec))
