"""deploy/ and docs/deploy.md: the manifests hold together and say what the code reads.

No container engine or cluster runs here, so the image is never built and the manifests never
applied; what can drift from the code without either is checked: every setting the code reads is
documented, the manifests set only settings that exist, and they wire the stores as the cluster
tests do.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot import PROJECT_ROOT

K8S = PROJECT_ROOT / "deploy" / "k8s"
DOC = (PROJECT_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
CODE = ("bot", "channels", "actions", "rasa_plugins", "rasa_sdk_plugins", "tools")
SETTING = re.compile(r"\b((?:SCREENER|TWILIO|WECHAT)_[A-Z_]+)\b")


def settings_read_by_code() -> set[str]:
    """The environment variables the code reads (quoted names in its modules)."""
    names = set()
    for folder in CODE:
        for module in (PROJECT_ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"[\"']((?:SCREENER|TWILIO|WECHAT)_[A-Z_]+)[\"']", module.read_text("utf-8")))
    return names


def resources() -> list[dict[str, Any]]:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    return [doc for name in listed for doc in yaml.safe_load_all((K8S / name).read_text("utf-8")) if doc]


def containers(kind: str, name: str) -> list[dict[str, Any]]:
    found = [r for r in resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return list(found[0]["spec"]["template"]["spec"]["containers"])


def test_every_setting_the_code_reads_is_documented() -> None:
    read = settings_read_by_code()
    assert {"SCREENER_RECORDS_URL", "SCREENER_TRIAL", "SCREENER_REDIS_URL"} <= read  # the search finds them
    missing = {name for name in read if f"`{name}`" not in DOC}
    assert not missing, f"not in docs/deploy.md: {sorted(missing)}"


def test_the_manifests_set_only_settings_that_exist() -> None:
    read = settings_read_by_code()
    # Names only the manifests use: the backups, and passwords the manifests put into URLs themselves.
    own = {"SCREENER_PG_PASSWORD", "SCREENER_REDIS_PASSWORD"}
    set_in = {m for f in K8S.glob("*.yaml") for m in SETTING.findall(f.read_text("utf-8"))}
    assert set_in - read - own == set()


def test_every_listed_manifest_loads_and_the_secret_template_is_not_applied() -> None:
    kinds = {r["kind"] for r in resources()}
    assert {"Deployment", "StatefulSet", "Service", "ConfigMap", "Ingress"} <= kinds
    assert "Secret" not in kinds  # applying the manifests never overwrites the real secrets
    template = yaml.safe_load((K8S / "secret.template.yaml").read_text(encoding="utf-8"))
    assert template["kind"] == "Secret"


def test_the_stores_are_wired_as_the_cluster_tests_wire_them() -> None:
    config = next(r for r in resources() if r["kind"] == "ConfigMap" and "endpoints.yml" in r.get("data", {}))
    endpoints = yaml.safe_load(config["data"]["endpoints.yml"])
    assert endpoints["tracker_store"]["type"] == "rasa_plugins.conversation_store.ConversationStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "rasa_plugins.lock_store.SerialRedisLockStore"  # not Rasa's own
    records = next(r for r in resources() if r["kind"] == "StatefulSet" and r["metadata"]["name"] == "records")
    assert records["spec"]["replicas"] == 1  # one writer of the records database
    actions = {e["name"]: e for c in containers("Deployment", "actions") for e in c.get("env", [])}
    assert "SCREENER_RECORDS_URL" in actions and "SCREENER_RECORDS_TOKEN" in actions
    assert "SCREENER_DB" not in actions  # action servers never open the records file


def test_people_reach_only_the_widget_and_the_webhooks() -> None:
    paths = {
        p["path"]
        for r in resources()
        if r["kind"] == "Ingress"
        for rule in r["spec"]["rules"]
        for p in rule["http"]["paths"]
        if p["backend"]["service"]["name"] == "rasa"
    }
    assert paths and all(p.startswith(("/socket.io", "/webhooks/twilio", "/webhooks/wechat")) for p in paths)


def test_the_image_trains_the_model_it_serves() -> None:
    dockerfile = (PROJECT_ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "python -m bot.reading.nlp build" in dockerfile and "rasa train --fixed-model-name screener" in dockerfile
    assert "USER 10001" in dockerfile and "umask 077" in dockerfile
