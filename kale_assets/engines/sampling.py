"""Seeded sampling whose result for a request does not depend on the requests that share its batch."""

from __future__ import annotations

import hashlib

from kale_assets.engines.base import SamplingSpec


def request_seed(seed: int, request_id: str) -> int:
    """A per-request sampling seed: the text of a request does not depend on which requests share its batch."""
    digest = hashlib.sha256(f"{seed}|{request_id}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFF_FFFF


_MASK64 = (1 << 64) - 1


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


# splitmix64 constants (Steele et al.), as signed int64 so torch can hold them.
_GOLDEN = _signed64(0x9E3779B97F4A7C15)
_MIX1 = _signed64(0xBF58476D1CE4E5B9)
_MIX2 = _signed64(0x94D049BB133111EB)


def _shr(x, bits: int):
    # torch's >> on int64 is arithmetic; masking makes it the logical shift splitmix64 needs.
    return (x >> bits) & ((1 << (64 - bits)) - 1)


def counter_uniforms(seeds, step: int, vocab: int):
    """Uniforms in (0, 1) that depend only on (seed, step, token id): a counter-based generator.

    Each row's noise comes from its own request seed, so a request samples the same tokens whichever
    requests share its batch, on any device, without a per-row generator object.
    """
    import torch

    tokens = torch.arange(vocab, device=seeds.device, dtype=torch.int64)
    step_term = torch.full((), step + 1, dtype=torch.int64, device=seeds.device) * _MIX2
    x = seeds[:, None] * _GOLDEN + step_term + tokens[None, :] * _MIX1
    x = (x ^ _shr(x, 30)) * _MIX1
    x = (x ^ _shr(x, 27)) * _MIX2
    x = x ^ _shr(x, 31)
    mantissa = _shr(x, 11).to(torch.float64)
    return ((mantissa + 0.5) / float(1 << 53)).to(torch.float32)


class _GumbelPerRequest:
    """Sampling by the Gumbel-max trick with per-request noise; ``generate`` then decodes greedily.

    argmax(log softmax(scores) + Gumbel noise) is an exact sample from softmax(scores), so this is the same
    distribution as multinomial sampling after the same warpers, without a batch-wide random state.
    """

    def __init__(self, seeds: list[int], input_width: int):
        self.seeds = seeds
        self.input_width = input_width
        self._seeds_tensor = None

    def __call__(self, input_ids, scores):
        import torch

        if self._seeds_tensor is None or self._seeds_tensor.device != scores.device:
            self._seeds_tensor = torch.tensor(self.seeds, dtype=torch.int64, device=scores.device)
        step = input_ids.shape[1] - self.input_width
        uniforms = counter_uniforms(self._seeds_tensor, step, scores.shape[-1])
        gumbel = -torch.log(-torch.log(uniforms))
        return torch.log_softmax(scores.float(), dim=-1) + gumbel


def per_request_sampling(sampling: SamplingSpec, seeds: list[int], input_width: int):
    """Logits processors for seeded top-k / top-p / temperature sampling that is independent of batch-mates."""
    from transformers import (
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    processors = []
    if sampling.temperature != 1.0:
        processors.append(TemperatureLogitsWarper(sampling.temperature))
    if sampling.top_k:
        processors.append(TopKLogitsWarper(sampling.top_k))
    if sampling.top_p < 1.0:
        processors.append(TopPLogitsWarper(sampling.top_p))
    processors.append(_GumbelPerRequest(seeds, input_width))
    return LogitsProcessorList(processors)
