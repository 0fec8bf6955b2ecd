"""The Ray executor of the generation stages (teacher, fusion, student): plain Python, no Dagster.

`pipeline` runs a stage over a list of shards as one Ray Data pipeline (CPU decode tasks feeding a pool of
engine actors); `cluster` connects to a Ray cluster or starts a local one; `settings` is the ``ray:``
section of kale.yaml. The Dagster side (`kale_assets.defs`) only picks the executor and hands over shards.
"""

from kale_assets.fleet.settings import EXECUTORS, RaySettings

__all__ = ["EXECUTORS", "RaySettings"]
