"""fbopt's one exception tree: every error a user can cause or fix is an FboptError.

Not for programming errors: those stay ordinary exceptions and show a traceback.

    FboptError                   root; `exit_code` and a one-line `message()`
    +-- InputError               a bad input file, row or value (exit 2)
    +-- UsageError               options that contradict each other (exit 2)
    +-- ConfigError              a bad config file, setting or missing dependency (exit 2)
    +-- ProviderError            an LLM provider call failed (after retries)
    |   +-- RateLimitError       429: retryable, may carry retry_after seconds
    |   +-- ProviderTimeout      the call exceeded its timeout: retryable
    |   +-- AuthenticationError  the key was refused: not retryable
    +-- BudgetError              a call would cross --max-cost
    +-- ModelError               an engagement model artifact is missing or incompatible (exit 2)
    +-- BatchPending             provider batches submitted, not finished yet (exit 75)

    Interrupted (a KeyboardInterrupt) Ctrl-C or SIGTERM stopped a run (exit 130 or 143)

Third-party exceptions are translated where they enter (`raise ... from exc`), never further up.
"""

from __future__ import annotations

from pathlib import Path


class FboptError(Exception):
    """Root of fbopt's errors. `hint` says what the user can do about it."""

    exit_code = 1

    def __init__(self, problem: str, *, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint

    def where(self) -> str:
        return ""

    def message(self) -> str:
        """The one line the CLI prints: where, what, and how to fix it."""
        parts = [p for p in (self.where(), self.problem) if p]
        line = ": ".join(parts)
        if self.hint:
            line = f"{line} ({self.hint})"
        return " ".join(line.split())

    def __str__(self) -> str:
        return self.message()


class InputError(FboptError):
    """A problem with an input file: names the file, row (1-based data row) and column."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem, hint=hint)
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column

    def where(self) -> str:
        bits = []
        if self.path:
            bits.append(self.path)
        if self.row is not None:
            bits.append(f"row {self.row}")
        if self.column:
            bits.append(f"column '{self.column}'")
        return ", ".join(bits)


class UsageError(FboptError):
    exit_code = 2


class ConfigError(FboptError):
    exit_code = 2


class ProviderError(FboptError):
    """A provider call failed. `retryable` tells the retry policy whether to try again."""

    retryable = False

    def __init__(
        self,
        problem: str,
        *,
        provider: str = "",
        status: int | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem, hint=hint)
        self.provider = provider
        self.status = status
        if retryable is not None:
            self.retryable = retryable
        self.retry_after = retry_after

    def where(self) -> str:
        return self.provider


class RateLimitError(ProviderError):
    retryable = True


class ProviderTimeout(ProviderError):
    retryable = True


class AuthenticationError(ProviderError):
    retryable = False


class BudgetError(FboptError):
    exit_code = 2


class ModelError(FboptError):
    exit_code = 2


class BatchPending(FboptError):
    """Batches were submitted to a provider and are not finished (`--no-wait`, or
    llm.batch_wait ran out): the same command later collects them. EX_TEMPFAIL."""

    exit_code = 75


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (exit 130) or SIGTERM (exit 143) stopped a run; the message says what was kept.

    A KeyboardInterrupt, not an FboptError, so code that catches FboptError never swallows it.
    """

    def __init__(self, message: str = "", *, exit_code: int = 130) -> None:
        super().__init__(message)
        self.exit_code = exit_code
