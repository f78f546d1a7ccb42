#!/usr/bin/python3
"""Charts of a results directory's sensors: measured against simulated over time, one PNG per sensor
(measured/<sensor>.png), the fit in the title. Called by `citytwin run` before the results folder is
renamed into place; usable on its own: sensor_charts.py RESULTS_DIR."""
import csv
import datetime
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

# Planner's units: the model unit, and what to multiply by.
DISPLAY = {"W": ("kW", 1e-3), "L/s": ("L/s", 1.0), "veh/h": ("veh/h", 1.0), "m/s": ("km/h", 3.6),
           "m": ("m", 1.0), "C": ("°C", 1.0)}


def number(text):
    return float(text) if text else math.nan


def fit_title(row):
    if not row or row["n"] in ("", "0"):
        return "no pairs"
    parts = ["n " + row["n"]]
    for key, label, fmt in (("cvrmse_pct", "CV(RMSE)", "{:.0f} %"), ("nmbe_pct", "NMBE", "{:+.0f} %"),
                            ("nse", "NSE", "{:.2f}"), ("geh_lt5_share", "GEH<5", "{:.0%}")):
        if row.get(key):
            parts.append(label + " " + fmt.format(float(row[key])))
    return ", ".join(parts)


def chart(results, sensor, fit):
    unit, scale = DISPLAY.get(sensor["unit"], (sensor["unit"], 1.0))
    times, measured, simulated = [], [], []
    with open(os.path.join(results, sensor["file"]), newline="") as f:
        for row in csv.DictReader(f):
            times.append(datetime.datetime.fromisoformat(row["time"]))
            measured.append(number(row["measured"]) * scale)
            simulated.append(number(row["simulated"]) * scale)
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=100)
    ax.plot(times, simulated, color="#1f77b4", linewidth=1.4, label="simulated (" + sensor["simulated_from"] + ")")
    ax.plot(times, measured, color="#d62728", linewidth=1.2, marker=".", markersize=3, label="measured")
    place = sensor["element"] and " on " + sensor["set"] + " " + sensor["element"] or ""
    ax.set_title(sensor["id"] + place + " (" + sensor["role"] + "): " + fit_title(fit), fontsize=10)
    ax.set_ylabel(sensor["quantity"].split(".")[-1].replace("_", " ") + " [" + unit + "]")
    if times:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b\n%H:%M", tz=times[0].tzinfo))
    ax.grid(True, color="#dddddd")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out = os.path.join(results, sensor["file"][:-len(".csv")] + ".png")
    fig.savefig(out, metadata={"Software": None})
    plt.close(fig)


def main(results):
    with open(os.path.join(results, "manifest.json")) as f:
        sensors = json.load(f).get("sensors", [])
    fits = {}
    validation = os.path.join(results, "validation.csv")
    if os.path.exists(validation):
        with open(validation, newline="") as f:
            fits = {row["sensor"]: row for row in csv.DictReader(f)}
    for s in sensors:
        chart(results, s, fits.get(s["id"]))


if __name__ == "__main__":
    main(sys.argv[1])
