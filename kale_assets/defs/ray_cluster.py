"""The Dagster side of the ray executor: dagster-ray's `RayResource`, connecting a generation step to Ray.

dagster-ray (0.4.x) owns the connection's lifecycle: `ray.init` with its Ray Data execution options, the step's
Dagster tags, and disconnecting when the step ends, whatever happens. It is registered for every run but
connects only when a stage runs with ``executor: ray`` (kale.yaml): the local executor never touches Ray.
"""

from __future__ import annotations

from dagster import AssetExecutionContext
from dagster_ray import Lifecycle, RayResource
from pydantic import Field, PrivateAttr


class KaleRayCluster(RayResource):
    """A Ray cluster reached by address, or a local one started on demand (``ray.init()`` with no address).

    The address comes from kale.yaml's ``ray.address`` (or this resource's ``address``); None lets ``ray.init``
    pick: RAY_ADDRESS (what `kale run` sets for the cluster it started), a `ray start` cluster on this
    machine, else a new local cluster owned by the step.
    """

    address: str | None = Field(default=None, description="Ray address; None: kale.yaml's ray.address, else local")
    _target: str | None = PrivateAttr(default=None)

    @property
    def host(self) -> str:
        return self._target or "local"

    @property
    def name(self) -> str:
        return f"Ray cluster at {self._target}" if self._target else "local Ray cluster"

    @property
    def ray_address(self) -> str | None:  # type: ignore[override]
        return self._target

    @property
    def created(self) -> bool:
        return True

    @property
    def ready(self) -> bool:
        return True

    @classmethod
    def on_demand(cls, address: str | None = None) -> KaleRayCluster:
        """The resource `definitions.py` registers. Nothing at step start (a step of the local executor must
        not start Ray); `connect_for` connects when a stage runs on Ray. The lifecycle is passed explicitly:
        Dagster builds a resource's config from the field types' own defaults, not from a default_factory."""
        return cls(address=address, lifecycle=Lifecycle(create=False, wait=False, connect=False, cleanup="never"))

    def connect_for(self, context: AssetExecutionContext, address: str | None) -> None:
        """Make this step a Ray driver; an already connected process (a test, the bench) is used as it is."""
        import ray

        if ray.is_initialized():
            return
        from kale_assets.fleet.cluster import quiet_ray_data

        self._target = self.address or address
        self.connect(context)
        self.on_connect(context)
        quiet_ray_data()
