"""The one exception type for mistakes a user can fix (a missing folder, a bad option, a broken rules file).

The `kale` command prints such an error as one line, naming the problem and the fix, and exits with status
2 (``--debug`` shows the traceback instead). Domain code raises it where the cause is certainly the user's
input; everything else (a bug, a full disk, a dead GPU) stays an ordinary exception with its traceback.
"""

from __future__ import annotations


class KaleUsageError(ValueError):
    """A user mistake: ``problem`` says what is wrong, ``fix`` what to do about it."""

    def __init__(self, problem: str, fix: str = ""):
        self.problem = problem.rstrip(". ")
        self.fix = fix.rstrip(". ")
        super().__init__(f"{self.problem}; {self.fix}" if self.fix else self.problem)
