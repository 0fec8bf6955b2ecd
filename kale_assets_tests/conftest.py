from __future__ import annotations

import pytest

from kale_assets.tiny_models import TinyModelPaths, build_tiny_models


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("models")
    build_tiny_models(root)
    return str(root)


@pytest.fixture(scope="session")
def tiny_models(tiny_models_dir) -> TinyModelPaths:
    from kale_assets.tiny_models import tiny_model_paths

    return tiny_model_paths(tiny_models_dir)


# The two fixtures below serve test modules that define a module-scoped `work` fixture (a PipelineConfig of a
# materialized tiny work folder): its SQLite instance, and the environment the assets read when a step runs.
@pytest.fixture(scope="module")
def instance(work):
    from dagster import DagsterInstance

    from kale_assets.layout import WorkLayout

    with DagsterInstance.from_config(str(WorkLayout(work.root).dagster_home)) as inst:
        yield inst


@pytest.fixture
def env(work, monkeypatch):
    from kale_assets.layout import WorkLayout

    monkeypatch.setenv("KALE_WORKDIR", str(work.root))
    monkeypatch.setenv("DAGSTER_HOME", str(WorkLayout(work.root).dagster_home))
