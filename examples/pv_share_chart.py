#!/usr/bin/python3
"""Chart of the PV-share sweep (examples/pv_share.sweep.toml): peak grid load, hours above 100 % line
loading and PV energy against the share of roofs with PV, from the sweep's runs.csv.
    python3 examples/pv_share_chart.py results/pv_share      # writes results/pv_share/pv_share.png"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KEY = "models.energy.pv_share"
SERIES = [("energy.peak_load_w", "peak load (MW)", 1e-6), ("energy.line_overload_hours", "hours above 100 % line loading", 1.0),
          ("energy.pv_mwh", "PV energy (MWh)", 1.0)]


def main(folder):
    with open(os.path.join(folder, "runs.csv"), newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    rows.sort(key=lambda r: float(r[KEY]))
    share = [100 * float(r[KEY]) for r in rows]
    fig, axes = plt.subplots(len(SERIES), 1, figsize=(7, 8), sharex=True)
    for ax, (kpi, label, scale) in zip(axes, SERIES):
        ax.plot(share, [scale * float(r[kpi]) for r in rows], marker="o")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("roofs with PV (%)")
    fig.suptitle("PV share of the baseline (" + str(len(rows)) + " runs)")
    fig.tight_layout()
    out = os.path.join(folder, "pv_share.png")
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/pv_share")
