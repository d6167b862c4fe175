"""The project's time-limit promise as the tests hold it."""

from __future__ import annotations


def promised_s(limit_s: float) -> float:
    """The longest a call with this time limit may take, s (wall clock): the limit + 10 % + 2 s
    (``docs/model.md``, *Time limit*), for a solver noticing its limit late and the tables.

    Parameters
    ----------
    limit_s
        The call's time limit, s.

    Returns
    -------
    float
        The wall-clock seconds the call must end within.
    """
    return 1.1 * limit_s + 2.0


#: What a call may take beyond the promise when every core of the machine is taken by other
#: work (a cluster's workers, the test run beside it), s: the tests that start a solve whose
#: unlimited run takes minutes allow it.
BUSY_MACHINE_S = 5.0
