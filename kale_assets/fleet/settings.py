"""How the Ray executor runs the generation stages: where the cluster is, how many engine actors, what each holds.

Stored under ``ray:`` in kale.yaml (plain values, never credentials: a Ray address is a host and port).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

EXECUTORS = ("local", "ray")
ROLES = ("teacher", "fusion", "student")


@dataclass(frozen=True)
class RaySettings:
    # None: start a local Ray cluster on demand (`kale run`), or join the one RAY_ADDRESS / `ray start` names.
    # "HOST:PORT" (GCS address) or "ray://HOST:10001" (Ray Client): an existing cluster.
    address: str | None = None
    # Engine actors per stage role; each loads its model once per stage run and serves every shard of it.
    actors: dict = field(default_factory=lambda: {role: 2 for role in ROLES})
    # GPUs each actor holds: 1 = one engine per GPU; N for a tensor-parallel model; 0 = CPU actors.
    num_gpus_per_actor: float = 0.0
    # CPUs each actor holds (torch in the actor uses this many threads: Ray sets OMP_NUM_THREADS from it).
    num_cpus_per_actor: float = 1.0
    # Requests per actor call. Smaller batches lose less work when an actor dies (its batch is retried).
    batch_size: int = 16

    def __post_init__(self):
        merged = {role: 2 for role in ROLES}
        merged.update(self.actors or {})
        unknown = set(merged) - set(ROLES)
        if unknown:
            raise ValueError(f"ray.actors takes roles {'/'.join(ROLES)}, got {sorted(unknown)}")
        bad = {r: n for r, n in merged.items() if not isinstance(n, int) or n < 1}
        if bad:
            raise ValueError(f"ray.actors must be whole numbers >= 1, got {bad}")
        object.__setattr__(self, "actors", merged)
        if self.num_gpus_per_actor < 0 or self.num_cpus_per_actor < 0:
            raise ValueError("ray.num_gpus_per_actor and ray.num_cpus_per_actor must be >= 0")
        if self.num_gpus_per_actor == 0 and self.num_cpus_per_actor == 0:
            raise ValueError("an engine actor needs a GPU or a CPU: set ray.num_gpus_per_actor or num_cpus_per_actor")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"ray.batch_size must be a whole number >= 1, got {self.batch_size!r}")

    @classmethod
    def from_dict(cls, data: dict | None) -> RaySettings:
        data = dict(data or {})
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown ray settings {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return asdict(self)
