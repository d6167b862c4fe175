"""Standard output that outlives its reader: ``rhd-match report … | head -5`` closes the pipe
after five lines, while the command still has its files to write."""

from __future__ import annotations

import os
from typing import TextIO


class ReaderProofOutput:
    """``stream`` (standard output) until its reader is gone; then ``os.devnull``.

    A print to a closed pipe raises ``BrokenPipeError`` wherever it comes, often before the
    files are written (the summary is printed as the plan is found). Here the first such
    error sends the descriptor to ``os.devnull`` and the command goes on, silently.

    Parameters
    ----------
    stream
        The text stream to stand for (``sys.stdout``); every other attribute is its own.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text``, or drop it once the reader is gone.

        Parameters
        ----------
        text
            What to print.

        Returns
        -------
        int
            The characters taken: all of ``text``, written or dropped.
        """
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_nowhere()
            return len(text)

    def flush(self) -> None:
        """Flush, or drop what was buffered once the reader is gone."""
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_nowhere()

    def _to_nowhere(self) -> None:
        """Point the stream's descriptor at ``os.devnull``: what is buffered goes there."""
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, self._stream.fileno())
        os.close(nowhere)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
