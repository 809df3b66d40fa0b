"""The ``kcore`` command line.

::

    kcore backends list [--json]     installed backends, their status, the selected one
    kcore backends show NAME [--json]  one backend in detail (loads its framework)
    kcore plugins list [--json]      quantizer, exporter and other plugins
    kcore ops matrix [--backend NAME] [--json]  native / composite / missing per op
    kcore info [--json]              versions, selected backend, config file in use

Exit codes: 0 on success, 2 on bad usage or an unusable configuration (one line on
stderr saying what is wrong and how to fix it), 1 on an unexpected failure.
Plugins add subcommands through the ``kcore_add_cli_commands`` hook.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Sequence
from typing import Any

from kcore import config, registry
from kcore._version import __version__
from kcore.errors import KcoreError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line usage; the message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print the usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False))


def _selected() -> tuple[str | None, str | None]:
    """The selected backend's name, or ``(None, error line)`` if selection fails."""
    try:
        return config.backend(), None
    except KcoreError as exc:
        return None, str(exc)


def _capabilities(record: registry.PluginRecord) -> str:
    if record.info is None:
        return "-"
    kind = "trainable" if record.info.trainable else "inference-only"
    return f"{kind}, {len(record.info.dtypes)} dtypes"


# --------------------------------------------------------------------------- commands


def cmd_backends_list(args: argparse.Namespace) -> int:
    selected, selection_error = _selected()
    records = registry.backend_records()
    if args.json:
        _print_json(
            {
                "selected": selected,
                "selection_error": selection_error,
                "backends": [
                    {**r.to_dict(), "selected": r.name == selected}
                    for r in sorted(records, key=lambda r: r.name)
                ],
            }
        )
    else:
        rows = []
        for r in sorted(records, key=lambda r: r.name):
            rows.append(
                [
                    "*" if r.name == selected else "",
                    r.name,
                    r.distribution or "?",
                    r.version or "?",
                    r.status,
                    _capabilities(r) if r.ok else (r.error or ""),
                ]
            )
        print(_table(rows, ["", "NAME", "DISTRIBUTION", "VERSION", "STATUS", "CAPABILITIES"]))
        if selected:
            print(f"\n* selected (from {config.backend_source()})")
    if selection_error:
        print(f"kcore: error: {selection_error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_backends_show(args: argparse.Namespace) -> int:
    from kcore import backend as backend_module
    from kcore.ops import contract

    name = registry.canonical_backend_name(args.name)
    record = registry.find_backend_record(name)
    backend = backend_module.get_backend(name)
    coverage = contract.coverage(backend)
    selected, _ = _selected()
    data = {
        **backend.describe(),
        "selected": name == selected,
        "entry_point": record.value if record else None,
        "ops": {
            kind: sorted(n for n, k in coverage.items() if k == kind)
            for kind in ("native", "composite", "missing")
        },
    }
    if args.json:
        _print_json(data)
        return EXIT_OK
    fields = [
        ("name", data["name"] + ("  (selected)" if data["selected"] else "")),
        ("distribution", f"{data['distribution']} {data['version']}"),
        ("entry point", data["entry_point"] or "built in"),
        ("plugin API", data["plugin_api_version"]),
        ("framework", f"{data['framework']} {data['framework_version']}"),
        ("trainable", "yes" if data["trainable"] else "no (inference only)"),
        ("devices", ", ".join(data["devices"])),
        ("dtypes", ", ".join(data["dtypes"])),
        ("native ops", str(len(data["ops"]["native"]))),
        ("composite ops", ", ".join(data["ops"]["composite"]) or "none"),
        ("missing ops", ", ".join(data["ops"]["missing"]) or "none"),
    ]
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def cmd_plugins_list(args: argparse.Namespace) -> int:
    pm = registry.plugin_manager()
    records = sorted(registry.plugin_records(), key=lambda r: r.name)

    def hooks(record: registry.PluginRecord) -> list[str]:
        if record.plugin is None:
            return []
        return sorted(h.name for h in pm.get_hookcallers(record.plugin) or [])

    provides = {
        "quantization_modes": registry.quantization_modes(),
        "export_formats": registry.export_formats(),
    }
    if args.json:
        _print_json(
            {
                "plugins": [{**r.to_dict(), "hooks": hooks(r)} for r in records],
                "provides": {kind: sorted(items) for kind, items in provides.items()},
            }
        )
        return EXIT_OK
    if not records:
        print("no plugins installed (entry-point group 'kcore.plugins'); see plugins/README.md")
        return EXIT_OK
    rows = [
        [
            r.name,
            r.distribution or "?",
            r.version or "?",
            r.status,
            ", ".join(hooks(r)) if r.ok else (r.error or ""),
        ]
        for r in records
    ]
    print(_table(rows, ["NAME", "DISTRIBUTION", "VERSION", "STATUS", "HOOKS"]))
    for kind, items in provides.items():
        if items:
            print(f"{kind.replace('_', ' ')}: {', '.join(sorted(items))}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from kcore import hookspecs

    settings = config.settings()  # raises on a bad config file or KCORE_BACKEND
    records = registry.backend_records()
    data = {
        "kcore": __version__,
        "plugin_api": hookspecs.PLUGIN_API_VERSION,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "backend": settings.backend,
        "backend_source": settings.backend_source,
        "config_file": settings.config_file,
        "config_file_searched": str(config.config_file_path()),
        "kcore_home": str(config.kcore_home()),
        "floatx": settings.floatx,
        "epsilon": settings.epsilon,
        "image_data_format": settings.image_data_format,
        "backends": {r.name: r.status for r in sorted(records, key=lambda r: r.name)},
        "plugins": {r.name: r.status for r in registry.plugin_records()},
    }
    if args.json:
        _print_json(data)
        return EXIT_OK
    source = data["backend_source"]
    fields = [
        ("kcore", f"{data['kcore']} (plugin API {data['plugin_api']})"),
        ("python", f"{data['python']} on {data['platform']}"),
        ("backend", f"{data['backend']} (from {source})"),
        ("config file", data["config_file"] or f"none ({data['config_file_searched']} absent)"),
        ("floatx", data["floatx"]),
        ("epsilon", str(data["epsilon"])),
        ("image data format", data["image_data_format"]),
        ("backends", ", ".join(f"{k} ({v})" for k, v in data["backends"].items())),
        ("plugins", ", ".join(f"{k} ({v})" for k, v in data["plugins"].items()) or "none"),
    ]
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def cmd_ops_matrix(args: argparse.Namespace) -> int:
    from kcore import backend as backend_module
    from kcore.ops import contract

    if args.backend:
        names = [registry.canonical_backend_name(n) for n in args.backend]
    else:
        names = registry.available_backends()
    matrix = {name: contract.coverage(backend_module.get_backend(name)) for name in names}
    ops = list(contract.SPECS)
    if args.json:
        _print_json(
            {
                "backends": names,
                "ops": {
                    op: {
                        "namespace": contract.SPECS[op].namespace,
                        **{name: matrix[name][op] for name in names},
                    }
                    for op in ops
                },
            }
        )
        return EXIT_OK
    rows = [[op, contract.SPECS[op].namespace, *(matrix[n][op] for n in names)] for op in ops]
    print(_table(rows, ["OP", "NAMESPACE", *(n.upper() for n in names)]))
    totals = ", ".join(
        f"{n}: {sum(v == 'native' for v in matrix[n].values())} native, "
        f"{sum(v == 'composite' for v in matrix[n].values())} composite, "
        f"{sum(v == 'missing' for v in matrix[n].values())} missing"
        for n in names
    )
    print(f"\n{len(ops)} ops; {totals}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kcore", description="kcore: Keras 3's API on pluggable backends.")
    parser.add_argument("--version", action="version", version=f"kcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    backends = commands.add_parser("backends", help="list or inspect backends")
    backend_commands = backends.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    listing = backend_commands.add_parser("list", help="installed backends and their status")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(func=cmd_backends_list)
    show = backend_commands.add_parser("show", help="one backend in detail, with its devices")
    show.add_argument("name", help="backend name, e.g. jax, torch, tensorflow (tf), numpy")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(func=cmd_backends_show)
    backends.set_defaults(func=None, group_parser=backends)

    plugins = commands.add_parser("plugins", help="list quantizer, exporter and other plugins")
    plugin_commands = plugins.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    plist = plugin_commands.add_parser("list", help="installed plugins and their hooks")
    plist.add_argument("--json", action="store_true", help="print JSON for scripts")
    plist.set_defaults(func=cmd_plugins_list)
    plugins.set_defaults(func=None, group_parser=plugins)

    ops_parser = commands.add_parser("ops", help="the op contract and its coverage")
    ops_commands = ops_parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    matrix = ops_commands.add_parser(
        "matrix", help="per op and backend: native, composite or missing (loads the backends)"
    )
    matrix.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help="only this backend (repeatable; default: every installed backend)",
    )
    matrix.add_argument("--json", action="store_true", help="print JSON for scripts")
    matrix.set_defaults(func=cmd_ops_matrix)
    ops_parser.set_defaults(func=None, group_parser=ops_parser)

    info = commands.add_parser("info", help="versions, selected backend, config file in use")
    info.add_argument("--json", action="store_true", help="print JSON for scripts")
    info.set_defaults(func=cmd_info)

    try:
        registry.plugin_manager().hook.kcore_add_cli_commands(subparsers=commands)
    except Exception as exc:  # a plugin's CLI must not take the core CLI down
        print(f"kcore: warning: a plugin failed to add CLI commands: {exc}", file=sys.stderr)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kcore`` command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        func = getattr(args, "func", None)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        if func is None:
            group = args.group_parser
            raise UsageError(f"'{group.prog}' needs a subcommand (see '{group.prog} --help')")
        return int(func(args) or EXIT_OK)
    except UsageError as exc:
        print(f"kcore: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KcoreError as exc:
        print(f"kcore: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kcore backends list | head` closes the pipe early; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # keep the one-line contract, even for bugs
        print(f"kcore: internal error: {registry.one_line(exc)}", file=sys.stderr)
        if os.environ.get("KCORE_DEBUG"):
            raise
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
