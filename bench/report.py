"""The benchmark's report: JSON and a Markdown table in ``bench/results/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.web import label


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark {results['started']}",
        "",
        f"`{results['command']}`  ",
        f"commit {results['commit']}, {results['cpus']} CPU(s), scale {results['scale']}"
        + (" (quick mode: checks the harness, figures mean nothing)" if results["quick"] else "")
        + (
            ", with the optional (agent_id, action_date) index"
            if results.get("agent_date_index")
            else ""
        ),
        "",
    ]
    data = results.get("dataset")
    if data:
        sizes = data["sizes"]
        if data["reused"]:
            lines.append("Data set reused (--keep).")
        else:
            lines.append(
                f"Data set generated in {data['total_seconds']:.1f} s: "
                + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in data["steps"].items())
            )
        lines.append(
            "Sizes: " + ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in sizes.items())
        )
        lines.append("")
    http = results.get("http", [])
    for worker_class in dict.fromkeys(row["worker_class"] for row in http):
        for concurrency in dict.fromkeys(row["concurrency"] for row in http):
            rows = [
                row
                for row in http
                if row["worker_class"] == worker_class and row["concurrency"] == concurrency
            ]
            if not rows:
                continue
            lines += [
                f"## {label(worker_class)}, {concurrency} connections, "
                f"{rows[0]['seconds']:.0f} s per case",
                "",
                "| case | queries/req | req/s | x healthz | p50 ms | p95 ms | p99 ms | errors "
                "| CPU ms/req: web, PostgreSQL, Redis, wrk |",
                "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
            ]
            for row in rows:
                errors = str(row["errors"])
                if row["wrapped"] and row["write"]:
                    refused = row.get("repeat_refusals") or 0
                    errors += f" ({row['wrapped']} repeated" + (
                        f", {refused} of them refused)" if refused else ")"
                    )
                digits = 1 if row["case"] == "mix" else 0
                lines.append(
                    f"| {row['label']} | {_number(row['queries'], digits)} "
                    f"| {_number(row['rps'])} | {_number(row['ratio'], 2)} "
                    f"| {_number(row['p50_ms'], 1)} | {_number(row['p95_ms'], 1)} "
                    f"| {_number(row['p99_ms'], 1)} | {errors} | {_cpu(row.get('cpu_ms'))} |"
                )
            lines.append("")
    kafka = results.get("kafka", [])
    if kafka:
        lines += [
            "## Kafka",
            "",
            "| path | events | seconds | events/s | not applied |",
            "|---|--:|--:|--:|--:|",
        ]
        for row in kafka:
            path = row["path"]
            if "appropriated" in row:
                path += f" ({row['appropriated']:,} appropriated)"
            lines.append(
                f"| {path} | {row['events']:,} | {row['seconds']:.2f} "
                f"| {_number(row['events_per_second'])} | {row['lost']} |"
            )
        lines.append("")
    problems = results.get("problems", [])
    if problems:
        lines += ["## Problems", ""] + [f"- {problem}" for problem in problems] + [""]
    return "\n".join(lines)


def _cpu(cpu_ms: dict[str, float] | None) -> str:
    if not cpu_ms:
        return "-"
    return ", ".join(f"{cpu_ms[group]:.2f}" for group in ("web", "postgres", "redis", "wrk"))


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = "bench-" + results["started"].replace(":", "").replace("-", "")[:15]
    json_path = folder / f"{stem}.json"
    md_path = folder / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    for name, path in (("latest.json", json_path), ("latest.md", md_path)):
        (folder / name).write_text(path.read_text())
    return json_path, md_path
