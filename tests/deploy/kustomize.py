"""A small kustomize for the tests: renders deploy/kubernetes overlays without the binary.

It covers what our kustomizations use, with kustomize's semantics: ``resources`` (files and
directories), ``patches`` (strategic-merge patches found by kind and name: maps merge, lists of
named items merge by name, other lists are replaced), ``namespace`` and ``images``. When
``kubectl`` is installed, a test checks that it renders the same documents.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass"}

Document = dict[str, Any]


def _documents(path: Path) -> list[Document]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _merge(target: Any, patch: Any) -> Any:
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            merged[key] = _merge(target[key], value) if key in target else copy.deepcopy(value)
        return merged
    named = isinstance(target, list) and isinstance(patch, list)
    if named and all(isinstance(item, dict) and "name" in item for item in [*target, *patch]):
        merged_list = [copy.deepcopy(item) for item in target]
        for item in patch:
            index = next(
                (i for i, old in enumerate(merged_list) if old["name"] == item["name"]), None
            )
            if index is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[index] = _merge(merged_list[index], item)
        return merged_list
    return copy.deepcopy(patch)


def _pod_specs(document: Document) -> list[Document]:
    spec = document.get("spec", {})
    if "template" in spec:
        return [spec["template"]["spec"]]
    if "jobTemplate" in spec:
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def render(directory: Path) -> list[Document]:
    """The documents ``kustomize build directory`` prints (in resource order)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    documents: list[Document] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        documents.extend(render(path) if path.is_dir() else _documents(path))
    for patch_entry in kustomization.get("patches", []):
        for patch in _documents(directory / patch_entry["path"]):
            key = (patch["kind"], patch["metadata"]["name"])
            matches = [
                i for i, d in enumerate(documents) if (d["kind"], d["metadata"]["name"]) == key
            ]
            assert len(matches) == 1, f"patch {key} matches {len(matches)} resources"
            documents[matches[0]] = _merge(documents[matches[0]], patch)
    namespace = kustomization.get("namespace")
    if namespace:
        for document in documents:
            if document["kind"] not in CLUSTER_SCOPED:
                document["metadata"]["namespace"] = namespace
    for image in kustomization.get("images", []):
        for document in documents:
            for pod in _pod_specs(document):
                for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
                    name, _, tag = container["image"].partition(":")
                    if name == image["name"]:
                        new_name = image.get("newName", name)
                        new_tag = image.get("newTag", tag)
                        container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name
    return documents


def overlays() -> list[Path]:
    return sorted(path for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())
