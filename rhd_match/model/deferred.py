"""Work run beside the single-threaded level LPs, on a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Result = TypeVar("Result")


class Deferred(Generic[Result]):
    """A computation run on a thread of its own once ``start`` is called, or on the spot
    when its result is asked for first.

    The lexicographic levels are single-threaded LPs, and GLOP releases the GIL while it
    solves: what does not depend on the plan runs beside them on the second core.

    Parameters
    ----------
    compute
        The computation; its exceptions are raised by ``result``.
    """

    def __init__(self, compute: Callable[[], Result]) -> None:
        self._compute = compute
        self._thread: threading.Thread | None = None
        self._value: list[Result] = []
        self._error: BaseException | None = None
        self._done = False

    def start(self) -> None:
        """Start the computation on its thread (once; no-op when already started or done)."""
        if self._thread is None and not self._done:
            self._thread = threading.Thread(target=self._run, name="rhd-match-deferred")
            self._thread.start()

    def result(self) -> Result:
        """The computation's result, waiting for its thread, or computed now if not started.

        Returns
        -------
        Result
            What ``compute`` returned.

        Raises
        ------
        BaseException
            Whatever ``compute`` raised.
        """
        if self._thread is None and not self._done:
            self._run()
        elif self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value[0]

    def _run(self) -> None:
        try:
            self._value.append(self._compute())
        except BaseException as error:  # handed to ``result``'s caller
            self._error = error
        self._done = True
