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
