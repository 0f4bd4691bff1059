"""LLM providers behind one small interface: `Provider.complete(requests)`.

Not for choosing a model (fbopt.drafts.selector does that) or caching (fbopt.cache).
"""

from fbopt.providers.base import Completion, CompletionRequest, Provider

__all__ = ["Completion", "CompletionRequest", "Provider"]
