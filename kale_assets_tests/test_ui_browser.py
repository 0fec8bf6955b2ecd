"""The Dagster UI in a real browser (Playwright driving Debian's Chromium) against `dagster dev` on loopback:
the asset graph, the kale_shards page, and one partition materialized from the UI's launch dialog, with its
checks and metadata shown afterwards. Screenshots of every step go to test-artifacts/ui/.

Needs /usr/bin/chromium (`apt-get install chromium`) and the `playwright` package; no browser download.
Without them the tests fail in CI (env CI set) and are skipped elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import polars as pl
import pytest

from kale_assets.filtering import load_rules
from kale_assets.layout import WorkLayout
from kale_assets_tests.dagster_servers import (
    ARTIFACTS,
    copy_of_work_folder,
    start_dagster_dev,
    wait_for,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = ARTIFACTS / "ui"
ASSETS = ["datacomp_shards", "stage1_captions", "fused_captions", "distilled_captioner", "stage2_captions",
          "kale_shards", "kale_dataset_card"]
GROUPS = ["ingest", "stage1", "distillation", "stage2", "release"]
CHECKS = ["accounting", "non_empty_captions", "provenance_non_null", "schema", "unique_uid"]
# run_pipeline finalizes 00000000 then 00000001, so the page shows 00000001 as latest until the UI's run.
PARTITION = "00000000"
UI_TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 240


def require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM}: apt-get install -y chromium")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package: .venv/bin/pip install -e '.[dev]' (or pip install playwright)")
    if missing:
        message = "browser test needs " + "; ".join(missing) + " (Playwright's own browser download is not used)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser(server):
    # After the work folder: Dagster's in-process runs must not share this thread with Playwright's event loop.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def work_folder(tmp_path_factory, tiny_models_dir):
    require_browser()  # first, so that a machine without Chromium skips before building anything
    return copy_of_work_folder(tmp_path_factory.mktemp("ui"), tmp_path_factory, tiny_models_dir)


@pytest.fixture(scope="module")
def server(work_folder):
    dev = start_dagster_dev(work_folder, ARTIFACTS / "dagster-dev-ui-test.log")
    yield dev
    left = dev.stop()
    assert not left, f"processes of dagster dev still alive after stop: {left}"


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    # A fresh instance may open "Join the Dagster community" over any page (dagster.yaml's nux: enabled:
    # false normally prevents it); Playwright presses Skip whenever it shows up before an action.
    page.add_locator_handler(page.get_by_text("Join the Dagster community"),
                             lambda: page.get_by_role("button", name="Skip").click())
    try:
        yield page
    finally:
        context.close()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_page(page, server, path: str, ready_text: str) -> None:
    page.goto(server.url + path, wait_until="domcontentloaded")
    page.get_by_text(ready_text, exact=True).first.wait_for()
    skip = page.get_by_role("button", name="Skip")
    if skip.count() and skip.first.is_visible():
        skip.first.click()


def metadata_values(page, label: str) -> list[str]:
    """The last cell of every table row labelled ``label``: the metadata table's value is among them (the
    column-schema table of the asset can hold a row with the same name, e.g. the rules_hash column)."""
    rows = page.locator("tr").filter(has=page.get_by_text(label, exact=True))
    return [rows.nth(i).locator("td").last.inner_text().strip() for i in range(rows.count())]


def test_asset_graph_and_catalog_show_every_asset(page, server):
    open_page(page, server, "/asset-groups", "Global asset lineage")
    for group in GROUPS:
        page.get_by_text(group, exact=True).first.wait_for()
    shot(page, "01_asset_groups")

    open_page(page, server, "/assets/kale_shards?view=lineage&lineageScope=upstream&lineageDepth=10", "Upstream")
    for asset in ["datacomp_shards", "stage1_captions", "fused_captions", "stage2_captions", "kale_shards"]:
        page.get_by_text(asset, exact=True).first.wait_for()
    shot(page, "02_kale_shards_upstream_lineage")

    open_page(page, server, "/assets", "Materialize selected")
    for asset in ASSETS:
        page.locator(f'a[href$="/assets/{asset}"]').first.wait_for()
    from playwright.sync_api import expect

    # Status columns load after the names: one "2 partitions" per partitioned asset.
    expect(page.get_by_text("2 partitions", exact=True)).to_have_count(5, timeout=UI_TIMEOUT_MS)
    shot(page, "03_catalog")


def test_materialize_one_partition_from_the_ui(page, server, work_folder):
    layout = WorkLayout(Path(work_folder.workdir))
    rules_hash = load_rules(work_folder.rules_path).sha256

    open_page(page, server, "/assets/kale_shards", "Latest materialization")
    page.get_by_text("rules_hash", exact=True).first.wait_for()
    shot(page, "04_kale_shards_before")

    page.get_by_role("button", name="Materialize…").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Launch runs to materialize kale_shards").wait_for()
    dialog.get_by_text("Select a partition or create one").click()
    page.get_by_placeholder("Filter partitions").fill(PARTITION)
    option = page.get_by_role("menuitem").filter(has=page.locator(f"[title='{PARTITION}']"))
    option.click()
    assert option.locator("input[type=checkbox]").is_checked()
    shot(page, "05_partition_picker")
    dialog.get_by_text("Launch runs to materialize kale_shards").click()  # closes the picker, keeps the dialog
    page.get_by_placeholder("Filter partitions").wait_for(state="hidden")
    dialog.get_by_text("1 partition", exact=True).wait_for()
    shot(page, "06_launch_dialog")

    dialog.get_by_role("button", name="Launch 1 run").click()
    toast = page.get_by_text(re.compile(r"Launched run [0-9a-f]{8}"))
    toast.wait_for()
    prefix = re.search(r"Launched run ([0-9a-f]{8})", toast.inner_text()).group(1)
    shot(page, "07_launched")

    def our_run():
        runs = [r for r in server.runs(tags={"dagster/from_ui": "true"}) if r["runId"].startswith(prefix)]
        return runs[0] if runs else None

    run = wait_for(f"run {prefix} in the instance", our_run, 30)
    assert run["tags"]["dagster/partition"] == PARTITION, run["tags"]

    def finished():
        status = server.run(run["runId"])["status"]
        assert status not in ("FAILURE", "CANCELED"), f"run {run['runId']} ended {status}\n{server.log_tail()}"
        return status == "SUCCESS"

    wait_for(f"run {prefix} to succeed", finished, RUN_TIMEOUT_S, on_timeout=server.log_tail)
    open_page(page, server, f"/runs/{run['runId']}", "View tags and config")
    page.get_by_text("RUN_SUCCESS", exact=True).first.wait_for()
    page.get_by_text("Success", exact=True).first.wait_for()
    shot(page, "08_run_succeeded")

    # The asset page now shows this run's materialization of the partition, with its metadata.
    final = pl.read_parquet(layout.shard_output("kale_shards", PARTITION))
    rejected = pl.read_parquet(layout.shard_rejected("kale_shards", PARTITION))
    open_page(page, server, "/assets/kale_shards", "Latest materialization")
    from playwright.sync_api import expect

    latest = page.get_by_text("Latest materialization", exact=True).first.locator("xpath=../..")
    expect(latest).to_contain_text(PARTITION, timeout=UI_TIMEOUT_MS)
    page.get_by_text("rules_hash", exact=True).first.scroll_into_view_if_needed()
    assert rules_hash in metadata_values(page, "rules_hash")
    assert str(final.height) in metadata_values(page, "rows_kept")
    assert str(rejected.height) in metadata_values(page, "rows_rejected")
    assert work_folder.pool_rule.pool_of(PARTITION) in metadata_values(page, "pool")
    shot(page, "09_kale_shards_metadata")
    detail = server.run(run["runId"])
    assert [(m["assetKey"]["path"], m["partition"]) for m in detail["assetMaterializations"]] == [
        (["kale_shards"], PARTITION)]

    # Every check of the asset ran in this run for this partition, passed, and the Checks tab says so. The
    # check specs carry the shard partitions, so each result is recorded (and shown) per partition.
    for name in CHECKS:
        latest = server.check_executions("kale_shards", name, partition=PARTITION, limit=1)
        assert latest and latest[0]["runId"] == run["runId"], (name, latest)
        assert latest[0]["partition"] == PARTITION, (name, latest)
        assert latest[0]["status"] == "SUCCEEDED" and latest[0]["evaluation"]["success"], (name, latest)
    page.get_by_role("tab", name="Checks").or_(page.get_by_text("Checks", exact=True)).first.click()
    page.get_by_text(f"Checks ({len(CHECKS)})", exact=True).wait_for()
    for name in CHECKS:
        page.get_by_text(name, exact=True).first.wait_for()
    assert page.get_by_text("Succeeded", exact=True).count() >= len(CHECKS)
    page.get_by_text("This is a blocking asset check.").first.wait_for()
    shot(page, "10_kale_shards_checks")
