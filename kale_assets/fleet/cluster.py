"""Reaching Ray: connect to a cluster by address, or start a local one on this machine on demand."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from kale_assets.fleet.settings import RaySettings


class LocalCluster:
    """A Ray cluster of processes on this machine (head plus optional worker nodes), owned by whoever started it.

    Built on `ray.cluster_utils.Cluster`, which starts and stops only its own processes (unlike ``ray stop``,
    which ends every Ray process of the user). Drivers join it by `address`.
    """

    def __init__(self, *, head_cpus: int | None = None, worker_nodes: int = 0, cpus_per_worker: int = 1):
        from ray.cluster_utils import Cluster

        # Logical CPUs: Ray schedules by them; decode tasks and CPU engine actors share the real cores.
        head = {"num_cpus": head_cpus if head_cpus is not None else max(2, os.cpu_count() or 1), "num_gpus": 0}
        self._cluster = Cluster(initialize_head=True, head_node_args=head)
        self._workers = [self._cluster.add_node(num_cpus=cpus_per_worker, num_gpus=0) for _ in range(worker_nodes)]
        self.address = self._cluster.address

    def wait_for_nodes(self) -> None:
        self._cluster.wait_for_nodes()

    def shutdown(self) -> None:
        self._cluster.shutdown()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[None]:
    """This process as a Ray driver for the block: joins ``address`` (None: RAY_ADDRESS, a `ray start` cluster of
    this machine, or else a new local one); an existing connection is used as it is and left open."""
    import ray

    if ray.is_initialized():
        yield
        return
    ray.init(address=address, logging_level="WARNING", log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def quiet_ray_data() -> None:
    """No progress bars from the driver: `kale run` prints its own per-partition lines."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    # Ray Data logs each pipeline's start, plan and end at INFO; a failure still comes as an exception.
    logging.getLogger("ray.data").setLevel(logging.WARNING)


@contextlib.contextmanager
def cluster_for_run(executor: str, settings: RaySettings) -> Iterator[str | None]:
    """For `kale run`: the Ray cluster the run's steps join, started here when none is named.

    With the ray executor and no address (neither ``ray.address`` nor RAY_ADDRESS), one local cluster is
    started for the whole run and named to every step through RAY_ADDRESS (what ``ray.init()`` reads), so
    steps join it instead of each starting and stopping its own. Yields the address, or None (local executor).
    """
    if executor != "ray":
        yield None
        return
    named = settings.address or os.environ.get("RAY_ADDRESS")
    if named:
        yield named
        return
    # Room for the largest actor pool plus one decode task: with every logical CPU held by an actor, the decode
    # tasks that feed the actors could never be scheduled and the stage would wait forever.
    needed = max(settings.actors.values()) * settings.num_cpus_per_actor + 1
    with LocalCluster(head_cpus=int(max(os.cpu_count() or 1, needed) + 0.999)) as local:
        os.environ["RAY_ADDRESS"] = local.address
        try:
            yield local.address
        finally:
            os.environ.pop("RAY_ADDRESS", None)
