"""deploy/kubernetes: rendered overlays validated against a pinned Kubernetes version, and the
deployment's invariants checked (no cluster runs here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy import kustomize
from tests.deploy.config_table import code_variables
from tests.deploy.test_compose import _assert_runs, _command_line

# The oldest Kubernetes release the manifests must run on (schemas of kubernetes-validate).
KUBERNETES_VERSION = "1.30.0"
PROCESSES = {
    "workflow-service": "web",
    "workflow-service-worker": "worker",
    "workflow-service-events": "events",
    "workflow-service-beat": "beat",
    "workflow-service-consumer": "consumer",
    "workflow-service-relay": "relay",
}
OVERLAYS = kustomize.overlays()
Documents = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(params=OVERLAYS, ids=[path.name for path in OVERLAYS])
def overlay(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture
def rendered(overlay: Path) -> Documents:
    return {(d["kind"], d["metadata"]["name"]): d for d in kustomize.render(overlay)}


def _of_kind(documents: Documents, kind: str) -> dict[str, dict[str, Any]]:
    return {name: document for (k, name), document in documents.items() if k == kind}


def _pod(document: dict[str, Any]) -> dict[str, Any]:
    return document["spec"]["template"]["spec"]


def _containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    pod = _pod(document)
    return [*pod.get("initContainers", []), *pod["containers"]]


def test_there_are_staging_and_production_overlays() -> None:
    assert {path.name for path in OVERLAYS} == {"staging", "production"}


def test_every_rendered_resource_is_valid_for_the_pinned_kubernetes(rendered: Documents) -> None:
    for document in rendered.values():
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_example_secret_is_valid_and_holds_only_settings_the_code_reads() -> None:
    secret = yaml.safe_load((kustomize.KUBERNETES / "secret.example.yaml").read_text())
    kubernetes_validate.validate(secret, KUBERNETES_VERSION, strict=True)
    assert set(secret["stringData"]) <= code_variables()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_test_renderer_agrees_with_kubectl_kustomize(
    overlay: Path, rendered: Documents
) -> None:
    output = subprocess.run(
        ["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, check=True
    ).stdout
    theirs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(output) if d}
    assert rendered == theirs


def test_one_deployment_per_process_from_one_image(rendered: Documents, overlay: Path) -> None:
    deployments = _of_kind(rendered, "Deployment")
    assert {
        name: d["metadata"]["labels"]["app.kubernetes.io/component"]
        for name, d in deployments.items()
    } == PROCESSES
    images = {c["image"] for d in deployments.values() for c in _containers(d)}
    images |= {c["image"] for job in _of_kind(rendered, "Job").values() for c in _containers(job)}
    assert len(images) == 1
    assert images.pop().startswith("registry.crm.example/collectioncrm/workflow-service:")
    for document in rendered.values():
        assert document["metadata"]["namespace"].startswith("collectioncrm")


def test_every_command_and_probe_runs_something_the_image_has(rendered: Documents) -> None:
    port = _of_kind(rendered, "ConfigMap")["workflow-service-config"]["data"]["PORT"]
    for document in [
        *_of_kind(rendered, "Deployment").values(),
        *_of_kind(rendered, "Job").values(),
    ]:
        for container in _containers(document):
            command = container.get("command", ["gunicorn", "collectioncrm.wsgi"])
            if command[:2] == ["sh", "-c"] and command[2].startswith("until "):
                assert "python manage.py migrate --check" in command[2]
                continue
            for argv in _command_line(command):
                _assert_runs(argv, port)
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if "exec" in container.get(probe, {}):
                    for argv in _command_line(container[probe]["exec"]["command"]):
                        _assert_runs(argv, port)


def test_the_migrate_job_migrates_then_creates_topics(rendered: Documents) -> None:
    job = _of_kind(rendered, "Job")["workflow-service-migrate"]
    steps = _command_line(_pod(job)["containers"][0]["command"])
    assert [step[2] for step in steps] == ["migrate", "ensure_topics"]
    assert _pod(job)["restartPolicy"] == "Never"


def test_settings_come_from_the_configmap_and_the_secret(rendered: Documents) -> None:
    config = _of_kind(rendered, "ConfigMap")["workflow-service-config"]
    assert set(config["data"]) <= code_variables()
    for document in [
        *_of_kind(rendered, "Deployment").values(),
        *_of_kind(rendered, "Job").values(),
    ]:
        for container in _containers(document):
            sources = container["envFrom"]
            assert {"configMapRef": {"name": "workflow-service-config"}} in sources
            assert {"secretRef": {"name": "workflow-service-secrets"}} in sources


def test_web_is_probed_served_and_published(rendered: Documents) -> None:
    web = _of_kind(rendered, "Deployment")["workflow-service"]
    container = _pod(web)["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["timeoutSeconds"] > 3  # the Kafka check waits 3 s
    port = int(_of_kind(rendered, "ConfigMap")["workflow-service-config"]["data"]["PORT"])
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    service = _of_kind(rendered, "Service")["workflow-service"]
    assert service["spec"]["selector"].items() <= _pod_labels(web).items()
    ingress = _of_kind(rendered, "Ingress")["workflow-service"]
    backends = [
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends == ["workflow-service"]
    hosts = _of_kind(rendered, "ConfigMap")["workflow-service-config"]["data"]["ALLOWED_HOSTS"]
    assert all(rule["host"] in hosts.split(",") for rule in ingress["spec"]["rules"])


def _pod_labels(document: dict[str, Any]) -> dict[str, str]:
    return document["spec"]["template"]["metadata"]["labels"]


def test_the_other_processes_have_liveness_and_startup_probes(rendered: Documents) -> None:
    for name, document in _of_kind(rendered, "Deployment").items():
        container = _pod(document)["containers"][0]
        assert "livenessProbe" in container and "startupProbe" in container, name


def test_every_container_has_requests_limits_and_a_locked_down_security_context(
    rendered: Documents,
) -> None:
    for name, document in [
        *_of_kind(rendered, "Deployment").items(),
        *_of_kind(rendered, "Job").items(),
    ]:
        pod = _pod(document)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert (
            pod["automountServiceAccountToken"] if "automountServiceAccountToken" in pod else True
        )
        for container in _containers(document):
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            # The only writable place: liveness files, metrics, beat's schedule.
            mount = {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108
            assert mount in container["volumeMounts"], name
    account = _of_kind(rendered, "ServiceAccount")["workflow-service"]
    assert account["automountServiceAccountToken"] is False


def test_web_and_workers_autoscale_and_keep_a_disruption_budget(rendered: Documents) -> None:
    deployments = _of_kind(rendered, "Deployment")
    autoscalers = _of_kind(rendered, "HorizontalPodAutoscaler")
    targets = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in autoscalers.values()}
    assert set(targets) == {"workflow-service", "workflow-service-worker"}
    for name, hpa in targets.items():
        assert name in deployments
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    budgets = _of_kind(rendered, "PodDisruptionBudget")
    covered = {
        name
        for name, deployment in deployments.items()
        for budget in budgets.values()
        if budget["spec"]["selector"]["matchLabels"].items() <= _pod_labels(deployment).items()
    }
    assert {"workflow-service", "workflow-service-worker"} <= covered
    for name, budget in budgets.items():
        minimum = budget["spec"].get("minAvailable")
        selected = [
            d
            for d in deployments.values()
            if budget["spec"]["selector"]["matchLabels"].items() <= _pod_labels(d).items()
        ]
        floor = min(
            targets.get(d["metadata"]["name"], d)["spec"].get(
                "minReplicas", d["spec"].get("replicas", 1)
            )
            for d in selected
        )
        # A budget that allows no eviction would block every node drain.
        assert minimum is None or minimum < floor, name


def test_beat_and_the_events_worker_never_run_twice(rendered: Documents) -> None:
    deployments = _of_kind(rendered, "Deployment")
    for name in ("workflow-service-beat", "workflow-service-events"):
        assert deployments[name]["spec"]["replicas"] == 1, name
        assert deployments[name]["spec"]["strategy"] == {"type": "Recreate"}, name


def test_consumers_never_outnumber_the_topic_partitions(rendered: Documents) -> None:
    partitions = int(
        _of_kind(rendered, "ConfigMap")["workflow-service-config"]["data"]["KAFKA_TOPIC_PARTITIONS"]
    )
    consumer = _of_kind(rendered, "Deployment")["workflow-service-consumer"]
    assert 1 <= consumer["spec"]["replicas"] <= partitions
    targets = [
        h["spec"]["scaleTargetRef"]["name"]
        for h in _of_kind(rendered, "HorizontalPodAutoscaler").values()
    ]
    assert "workflow-service-consumer" not in targets


def test_a_network_policy_covers_every_pod_both_ways(rendered: Documents) -> None:
    policy = _of_kind(rendered, "NetworkPolicy")["workflow-service"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    for document in _of_kind(rendered, "Deployment").values():
        assert selector.items() <= _pod_labels(document).items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    egress_ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
    assert {53, 5432, 6379, 9092} <= egress_ports
