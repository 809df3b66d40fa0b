"""How long ``import kcore`` takes, beside ``import numpy`` and (if installed) Keras 3.

Each measurement is a fresh interpreter (``python -X importtime`` is not used: it
adds its own overhead); the figure is the median wall time of ``-c "import X"`` minus
the median of ``-c "pass"``, over interleaved runs so that machine noise hits every
candidate alike.

    python bench/import_time.py [--runs 15] [--json bench/results/import_time.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

CANDIDATES = {
    "python (baseline)": "pass",
    "numpy": "import numpy",
    "kcore": "import kcore",
    "kcore + select backend": "import kcore; kcore.config.backend()",
    "kcore + first op (numpy)": "import kcore; kcore.ops.add(1, 2)",
    "keras 3 (numpy backend)": "import keras",
}


def run_once(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()
    env = {**os.environ, "KERAS_BACKEND": "numpy", "KCORE_BACKEND": "numpy"}
    candidates = dict(CANDIDATES)
    if importlib.util.find_spec("keras") is None:
        del candidates["keras 3 (numpy backend)"]
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(args.runs):
        for name, code in candidates.items():
            samples[name].append(run_once(code, env))
    base = statistics.median(samples["python (baseline)"])
    numpy_cost = statistics.median(samples["numpy"]) - base
    rows = []
    print(f"{'import':<26} {'median ms':>10} {'over numpy ms':>14}")
    for name, values in samples.items():
        if name == "python (baseline)":
            continue
        cost = statistics.median(values) - base
        rows.append(
            {
                "import": name,
                "ms": round(cost * 1e3, 1),
                "over_numpy_ms": round((cost - numpy_cost) * 1e3, 1),
            }
        )
        print(f"{name:<26} {cost * 1e3:>10.1f} {(cost - numpy_cost) * 1e3:>14.1f}")
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(
                {
                    "date": time.strftime("%Y-%m-%d"),
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "runs": args.runs,
                    "results": rows,
                },
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
