"""Dask clusters: where the weekly LPs, what-if variants and territories run when not in threads.

A cluster is named by one string (``SolverOptions.dask``, ``rhd-match --dask``):

* ``"local:N"`` starts a ``dask.distributed.LocalCluster`` of N worker processes (one thread
  each) on this machine for the call, and closes it at the end;
* anything else is the address of a running scheduler (``tcp://host:8786``), started with
  ``dask scheduler`` and ``dask worker`` (``docs/distributed.md``).

Workers import rhd_match, so every machine of a cluster needs the same rhd_match installed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .errors import OptionError
from .i18n import format_figure
from .i18n import gettext as _

if TYPE_CHECKING:
    from distributed import Client

LOCAL = re.compile(r"local:([1-9][0-9]*)")
#: A scheduler's address: an optional protocol of Dask's, a host name, IPv4 or [IPv6], a port.
ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r":(?P<port>[0-9]{1,5})"
)
#: The strategies whose weekly LPs run on the cluster; the others solve one model, without it.
DASK_STRATEGIES = ("decompose", "decompose-streamed")
#: How long to wait for a remote scheduler to answer, s.
CONNECT_TIMEOUT_S = 10.0


def check_spec(spec: str) -> str:
    """``spec`` when it names a cluster (``local:N`` or a scheduler address), else an error.

    Parameters
    ----------
    spec
        ``"local:N"`` (N ≥ 1 workers) or a scheduler address, ``host:port`` with or without
        a protocol (``tcp://10.0.0.5:8786``, ``tls://…``, ``ws://…``).

    Returns
    -------
    str
        ``spec`` unchanged.

    Raises
    ------
    ValueError
        When ``spec`` is ``local:`` with no valid worker count, or no address of a scheduler
        (a port is needed: Dask's own clients refuse an address without one).
    """
    if spec.startswith("local:") and not LOCAL.fullmatch(spec):
        raise ValueError(_("a local cluster is 'local:N' with N workers, N >= 1"))
    address = ADDRESS.fullmatch(spec)
    if not LOCAL.fullmatch(spec) and not (address and 0 < int(address.group("port")) < 65536):
        raise ValueError(
            _(
                "'{spec}' names no Dask cluster: give 'local:N' (N workers on this machine) "
                "or a scheduler's address with its port, such as tcp://host:8786"
            ).format(spec=spec)
        )
    return spec


@contextmanager
def dask_client(spec: str, timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Client]:
    """A ``dask.distributed.Client`` on the cluster ``spec``, closed on exit.

    Parameters
    ----------
    spec
        ``"local:N"``: a ``LocalCluster`` of N one-thread worker processes, started now and
        closed on exit; otherwise a scheduler's address.
    timeout_s
        How long to wait for a remote scheduler, s.

    Yields
    ------
    distributed.Client
        The client (dask is imported on first use only).

    Raises
    ------
    OptionError
        When no scheduler answers at the address within ``timeout_s``.
    """
    from distributed import Client, LocalCluster

    local = LOCAL.fullmatch(spec)
    if local:
        cluster = LocalCluster(
            n_workers=int(local.group(1)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: several clusters may share a machine
            silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster)
            try:
                yield client
            finally:
                client.close()
        finally:
            cluster.close()
        return
    try:
        client = Client(spec, timeout=timeout_s)
    except (OSError, TimeoutError, ValueError) as exc:
        # Dask's own words are English ("Timed out trying to connect …"): said in the
        # language; an address it cannot parse keeps its words.
        reason = (
            str(exc)
            if isinstance(exc, ValueError)
            else _("no answer within {seconds} s").format(seconds=format_figure(timeout_s))
        )
        raise OptionError(
            [
                _("no Dask scheduler answers at '{address}': {reason}").format(
                    address=spec, reason=reason
                )
            ]
        ) from exc
    # Closed, not exited: a client entered as a context is bound to its thread's context.
    try:
        yield client
    finally:
        client.close()
