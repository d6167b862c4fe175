"""Dask: the weekly LPs, what-if variants and lists of territories on a real 2-worker
``LocalCluster`` give the same plans as threads.

The cluster runs worker *processes* (``processes=True``): the tables, prices and plans then
really travel pickled between processes, as they do on a cluster of machines; one cluster is
started for the module (a few seconds) and reached by its address, as a remote one would be.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from clock import BUSY_MACHINE_S, promised_s
from distributed import Client, LocalCluster, get_task_stream
from factories import weighted

from benchmarks.dask_runs import local_workers, one_run
from benchmarks.one import task_streaming
from benchmarks.sizes import get_size, make_scenario, with_time_limit
from rhd_match import OptionError, Scenario, solve_many
from rhd_match.analysis.whatif import compare, raise_budget, remove_producer
from rhd_match.check import check
from rhd_match.cluster import dask_client
from rhd_match.generate import generate_scenario
from rhd_match.i18n import use_language
from rhd_match.model.decomposition import budgets

#: The error messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a 2-worker local cluster of one-thread worker processes."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The benchmarks' XS: 16 canteens, 30 producers, 12 ISO weeks."""
    return make_scenario(get_size("XS"), market=False)


@pytest.mark.parametrize(
    ("objective", "whole_lp"),
    [("weighted", True), ("lexicographic", True), ("weighted", False)],
)
def test_weeks_on_the_cluster_give_the_same_plan(
    small: Scenario, cluster: str, objective: str, whole_lp: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the whole LP (larger models), the weighted objective's plan comes from the
    climb and the weekly MIPs, which run on the workers too."""
    if not whole_lp:
        monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)
    options = {"strategy": "decompose", "objective": objective, "time_limit_s": 60}
    here = small.solve(**options)
    there = small.solve(dask=cluster, **options)
    assert not here.stopped_by_time_limit and not there.stopped_by_time_limit
    assert there.objective == here.objective
    assert there.best_bound == pytest.approx(here.best_bound, rel=0, abs=0, nan_ok=True)
    pd.testing.assert_frame_equal(there.flows, here.flows)
    assert check(small, there).empty


def test_streamed_weeks_on_the_cluster_give_the_same_plan(small: Scenario, cluster: str) -> None:
    """The decomposition streamed by chunks of weeks (a memory limit the whole-year model
    would exceed): each chunk's weeks on the workers, the same plan as on threads."""
    options = {
        "strategy": "decompose",
        "objective": "weighted",
        "time_limit_s": 60,
        "memory_limit_gb": 0.01,
    }
    here = small.solve(**options)
    with Client(cluster) as client, get_task_stream(client) as tasks:
        there = small.solve(dask=cluster, **options)
    # The weeks were solved by the workers (XS: 12 weeks, several passes).
    assert sum(task["key"].startswith("solve_week") for task in tasks.data) > 12
    assert there.summary["strategy"].iloc[0] == here.summary["strategy"].iloc[0]
    assert here.summary["strategy"].iloc[0] == "decompose-streamed"
    assert not here.stopped_by_time_limit and not there.stopped_by_time_limit
    assert there.objective == here.objective
    assert there.best_bound == here.best_bound
    pd.testing.assert_frame_equal(there.flows, here.flows)
    assert check(small, there).empty


def test_territories_on_the_cluster(cluster: str) -> None:
    territories = [
        weighted(generate_scenario(n_canteens=4, n_producers=8, n_products=10, seed=seed))
        for seed in (1, 2)
    ]
    options = {"strategy": "decompose", "time_limit_s": 60}
    there = solve_many(territories, dask=cluster, **options)
    here = solve_many(territories, **options)
    assert [s.objective for s in there] == [s.objective for s in here]
    assert there[0].objective != there[1].objective  # each territory its own plan, in order
    for scenario, solution, alone in zip(territories, there, here, strict=True):
        pd.testing.assert_frame_equal(solution.flows, alone.flows)
        assert check(scenario, solution).empty


def test_variants_on_the_cluster(small: Scenario, cluster: str) -> None:
    variants = [remove_producer(small.producers["producer_id"].iloc[0]), raise_budget(2.0)]
    options = {"strategy": "decompose", "objective": "weighted", "time_limit_s": 60}
    there = compare(small, variants, dask=cluster, **options)
    with ThreadPoolExecutor(1) as pool:
        here = compare(small, variants, executor=pool, **options)
    columns = ["variant", "objective", "value_eur_ht", "share_local"]
    pd.testing.assert_frame_equal(there[columns], here[columns])
    with pytest.raises(OptionError, match="not both"):
        compare(small, variants, executor=pool, dask=cluster)


def test_weeks_on_the_cluster_within_the_time_limit(cluster: str) -> None:
    """The demo's weekly LPs on the cluster, cut by the limit: the whole call ends in time (the
    weeks get the end of the budget as a time of day, so a queued week cannot overrun).

    Unlimited, this solve takes a minute on threads and two on the cluster (measured): the
    margin below (the promise's 10 % + 2 s, and 5 s more for a machine whose cores are all
    taken) still fails when the limit is not honoured, and holds under load."""
    scenario = Scenario.demo()
    limit_s = 3.0
    started = time.perf_counter()
    solution = scenario.solve(strategy="decompose", time_limit_s=limit_s, dask=cluster)
    assert time.perf_counter() - started <= promised_s(limit_s) + BUSY_MACHINE_S
    assert solution.stopped_by_time_limit
    assert check(scenario, solution).empty


def test_a_local_cluster_on_demand(small: Scenario) -> None:
    """``local:1`` starts a worker process for the call (in the background: the first
    passes run on threads) and stops it; the plan is the same as on threads."""
    options = {"strategy": "decompose", "objective": "weighted", "time_limit_s": 60}
    there = small.solve(dask="local:1", **options)
    assert there.objective == small.solve(**options).objective
    assert check(small, there).empty


@pytest.mark.parametrize("spec", ["local:0", "local:", "local:two", " ", "foo", "tcp://host"])
def test_a_bad_cluster_name_is_an_option_error(small: Scenario, spec: str) -> None:
    with pytest.raises(OptionError, match="dask"):
        small.solve(dask=spec)


def test_no_scheduler_at_the_address_is_a_clear_error() -> None:
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    with (
        pytest.raises(OptionError, match=rf"no Dask scheduler answers at '{address}'"),
        dask_client(address, timeout_s=1),
    ):
        pass


def test_no_scheduler_for_the_decomposition_is_said_in_the_callers_language(
    small: Scenario,
) -> None:
    """The decomposition reaches the scheduler from a thread of its own, where the language
    was the default: ``--lang en`` got a French message."""
    with use_language("en"), pytest.raises(OptionError) as caught:
        small.solve(strategy="decompose", dask="tcp://127.0.0.1:9")
    assert "no Dask scheduler answers at 'tcp://127.0.0.1:9'" in str(caught.value)


def test_no_scheduler_is_said_in_french_without_dasks_english() -> None:
    """« … : Timed out trying to connect to tcp://nohost:8786 after 10 s »."""
    address = "tcp://127.0.0.1:9"
    with use_language("fr"), pytest.raises(OptionError) as caught, dask_client(address, 1):
        pass
    assert str(caught.value.problems[0]).endswith("pas de réponse en 1 s")


def test_the_benchmark_compares_threads_and_workers() -> None:
    """The CI-sized Dask benchmark run: threads, then a 1-worker cluster of its own (in this
    process: ``compare_modes`` runs the same function in a process of its own per run)."""
    threads, dask = (one_run("16x30w8", workers, time_limit_s=60) for workers in (0, 1))
    assert (threads["mode"], dask["mode"]) == ("threads", "dask:1")
    assert dask["objective"] == threads["objective"]
    assert dask["flows_sha"] == threads["flows_sha"]
    assert len(dask["worker_peak_gb"]) == 1 and min(dask["worker_peak_gb"]) > 0
    assert threads["worker_tasks"] == [] and dask["worker_tasks"][0] > 0


def test_the_streamed_benchmark_runs_on_workers() -> None:
    """The streamed benchmark task (L's route) on a 1-worker cluster of its own: the plan of
    the threads' run, with the weekly LPs run on the worker and its memory read back."""
    size = with_time_limit(get_size("16x30w8"), 60)
    scenario = make_scenario(size)
    threads, dask = (task_streaming(size, scenario, workers) for workers in (0, 1))
    assert (threads["dask_workers"], dask["dask_workers"]) == (0, 1)
    assert dask["objective"] == threads["objective"]
    assert dask["plan"] == {**threads["plan"], "check_time_s": dask["plan"]["check_time_s"]}
    assert dask["plan"]["violations"] == 0
    assert threads["worker_peak_gb"] == threads["worker_tasks"] == []
    assert len(dask["worker_peak_gb"]) == 1 and min(dask["worker_peak_gb"]) > 0
    assert dask["worker_tasks"][0] >= dask["weeks"] == 8  # each week's LPs at least once


def test_a_workers_peak_memory_is_its_own() -> None:
    """Read from ``ru_maxrss``, each worker of the L run reported 8.28 GB: its parent's peak
    (the scenario's generation), which a process started by fork and exec keeps. A worker
    started after this process touched about 1 GB reports far less than that."""
    held = np.ones(125_000_000)  # 1 GB, touched
    with local_workers(1) as pool:
        used = pool.usage()
    assert held.sum() == len(held)
    assert len(used["worker_peak_gb"]) == 1
    assert 0 < used["worker_peak_gb"][0] < 0.6
