"""``python -m collectioncrm.devstack {up,down,status,env}``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from . import (
    EMBEDDED_KAFKA_ENV,
    ENV_VARS,
    SERVICES,
    configure_environment,
    data_dir,
    ensure,
    status,
    stop,
)


def _service(value: str) -> str:
    if value not in SERVICES:
        raise argparse.ArgumentTypeError(f"unknown service {value!r} (use {', '.join(SERVICES)})")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m collectioncrm.devstack",
        description="Embedded PostgreSQL, Redis and Kafka for development and tests "
        f"(data and logs in {data_dir()}).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, text in (
        ("up", "start (or reuse) services and print their URLs"),
        ("down", "stop services (PostgreSQL data is kept)"),
    ):
        sub.add_parser(command, help=text, description=text).add_argument(
            "services",
            nargs="*",
            type=_service,
            metavar="SERVICE",
            help=f"any of {', '.join(SERVICES)} (default: all)",
        )
    sub.add_parser("status", help="show whether each service runs, its pid, port, URL and log")
    env_help = (
        "print `export VAR=value` for each of DATABASE_URL, REDIS_URL, KAFKA_BROKERS "
        "that is unset, starting the matching services (use with eval)"
    )
    sub.add_parser("env", help=env_help, description=env_help)
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            for var, value in ensure(args.services or SERVICES).items():
                print(f"{var}={value}")
        elif args.command == "down":
            stop(args.services or SERVICES)
        elif args.command == "env":
            for name in configure_environment():
                var = ENV_VARS[name]
                print(f"export {var}={shlex.quote(os.environ[var])}")
                if name == "kafka":
                    for tuned in EMBEDDED_KAFKA_ENV:
                        print(f"export {tuned}={shlex.quote(os.environ[tuned])}")
        else:
            print(f"{'SERVICE':<9} {'STATE':<8} {'PID':>8} {'PORT':>6}  URL / LOG")
            for name, info in status().items():
                state = "running" if info["running"] else "stopped"
                print(
                    f"{name:<9} {state:<8} {info['pid'] or '-':>8} {info['port'] or '-':>6}  "
                    f"{info['url'] or '-'}\n{'':<35}{info['log_path']}"
                )
    except (RuntimeError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
