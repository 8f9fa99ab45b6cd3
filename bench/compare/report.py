#!/usr/bin/env python3
"""report.py RESULTS_DIR: raw.txt -> results.csv, results.md and plots.
report.py --combine DIR...: one markdown table of the ranges over runs.

raw.txt holds one line of NAME=VALUE per run (bench/compare/run.sh); the
figures derived here:

  fps          whole frames the client saw per second (both corner stamps
               the same new value); for dummy, which exports nothing,
               frames drawn per second
  torn_frac    pictures the client held mixing two X frames, as a
               fraction of torn + whole ones
  drawn_fps    frames the X client completed per second (the X side)
  upd_s        FramebufferUpdates per second at the client
  lat_*        draw start -> the update showing it, at the client (ms)
  cpu_frame_ms CPU of the X server + exporter per delivered frame (ms);
               sim_frame_ms the simulated Xen's (xsimd) on top, xenfb only
  kb_frame     bytes on the wire per delivered frame (kB)
  wake_*       context switches per second, every thread of the process
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SYSTEMS = ["xenfb", "xvnc", "x11vnc", "dummy", "xenfb_nv"]
NOCLIENT = ("dummy", "xenfb_nv")
LABEL = {"xenfb": "xenfb (serve)", "xvnc": "TigerVNC Xvnc",
         "x11vnc": "Xvfb + x11vnc", "dummy": "Xorg dummy (no export)",
         "xenfb_nv": "xenfb, no viewer (X side)"}
COLOR = {"xenfb": "#1f77b4", "xvnc": "#d62728", "x11vnc": "#2ca02c", "dummy": "#7f7f7f", "xenfb_nv": "#9ecae1"}
WORKLOAD = {"shm": "XShmPutImage frames", "put": "XPutImage frames",
            "shm60": "XShmPutImage, 60 Hz", "put60": "XPutImage, 60 Hz",
            "clock": "clock, 20 Hz", "move": "window move, 60 Hz",
            "xterm": "xterm scrolling", "idle": "idle"}


def parse(path):
    rows = []
    for line in open(path):
        kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "error" in kv:
            kv["error"] = "1"
        rows.append(kv)
    return rows


def num(r, k, default=0.0):
    try:
        return float(r.get(k, default))
    except ValueError:
        return default


def derive(r):
    s = num(r, "seconds") or 1.0
    sysname = r["system"]
    frames = num(r, "frames")
    d = {
        "system": sysname, "mode": r["mode"], "workload": r["workload"], "enc": r["enc"],
        "load": r.get("load", ""), "error": r.get("error", ""),
        "seconds": s,
        "fps": (num(r, "drawn") if sysname in NOCLIENT else frames) / s,
        "drawn_fps": num(r, "drawn") / s,
        "upd_s": num(r, "updates") / s,
        "lat_n": int(num(r, "lat_n")),
        "lat_med_ms": num(r, "lat_med_ms", -1) if sysname not in NOCLIENT else "",
        "lat_p99_ms": num(r, "lat_p99_ms", -1) if sysname not in NOCLIENT else "",
        "lat_max_ms": num(r, "lat_max_ms", -1) if sysname not in NOCLIENT else "",
        "cpu_x": num(r, "cpu_x"), "cpu_exp": num(r, "cpu_exp"), "cpu_sim": num(r, "cpu_sim"),
        "client_cpu": num(r, "client_cpu"),
        "wake_x": num(r, "ctx_x") / s, "wake_exp": num(r, "ctx_exp") / s,
        "wake_sim": num(r, "ctx_sim") / s,
        "mbytes": num(r, "bytes") / 1e6,
        "torn": int(num(r, "torn")),
        "torn_frac": num(r, "torn_frac") if sysname not in NOCLIENT else "",
    }
    nf = num(r, "drawn") if sysname in NOCLIENT else frames
    cpu = d["cpu_x"] + d["cpu_exp"]
    d["cpu_pct"] = 100 * cpu / s
    d["cpu_frame_ms"] = 1000 * cpu / nf if nf else ""
    d["x_frame_ms"] = 1000 * d["cpu_x"] / nf if nf else ""
    d["exp_frame_ms"] = 1000 * d["cpu_exp"] / nf if nf and sysname in ("xenfb", "x11vnc") else ""
    d["sim_frame_ms"] = 1000 * d["cpu_sim"] / nf if nf and sysname == "xenfb" else ""
    d["kb_frame"] = num(r, "bytes") / 1e3 / frames if frames and sysname not in NOCLIENT else ""
    d["client_pct"] = 100 * d["client_cpu"] / s
    return d


def fmt(v, p=1):
    if v == "" or v is None:
        return "–"
    if isinstance(v, float):
        return "%.*f" % (p, v)
    return str(v)


def table(rows, out):
    out.append("| mode | workload | enc | system | fps at client | X drew fps | updates/s "
               "| latency median / p99 (ms) | CPU % (X + exporter) | CPU ms / frame "
               "(X + exporter) | of it exporter | + xsimd | kB / frame | torn | client CPU % |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in rows:
        if d["workload"] == "idle":
            continue
        lat = "–" if d["system"] in NOCLIENT else (
            "%s / %s" % (fmt(d["lat_med_ms"], 2), fmt(d["lat_p99_ms"], 1)) if d["lat_n"] else "no sample")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |" % (
            d["mode"], WORKLOAD.get(d["workload"], d["workload"]), d["enc"], d["system"],
            fmt(d["fps"]), fmt(d["drawn_fps"]),
            fmt(d["upd_s"]) if d["system"] not in NOCLIENT else "–", lat, d["cpu_pct"],
            fmt(d["cpu_frame_ms"], 2), fmt(d["exp_frame_ms"], 2), fmt(d["sim_frame_ms"], 2), fmt(d["kb_frame"], 0),
            "%d (%.0f%%)" % (d["torn"], 100 * d["torn_frac"]) if d["system"] not in NOCLIENT else "–",
            fmt(d["client_pct"]) if d["system"] not in NOCLIENT else "–"))


def idle_table(rows, out):
    out.append("| system | wakeups/s X server | wakeups/s exporter | wakeups/s xsimd "
               "| CPU % | updates at client |")
    out.append("|---|---|---|---|---|---|")
    for d in rows:
        if d["workload"] != "idle":
            continue
        out.append("| %s | %.1f | %s | %s | %.2f | %d |" % (
            d["system"], d["wake_x"],
            "%.1f" % d["wake_exp"] if d["system"] in ("xenfb", "x11vnc") else "(in the X server)"
            if d["system"] == "xvnc" else "–",
            "%.1f" % d["wake_sim"] if d["system"] == "xenfb" else "–",
            d["cpu_pct"], round(d["upd_s"] * d["seconds"])))


def xside(rows, out):
    out.append("| mode | workload | dummy | xenfb, viewer connected | ratio | xenfb, no viewer | ratio "
               "| Xvnc | ratio | Xvfb (+ x11vnc) | ratio |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in rows:
        if d["system"] != "dummy" or d["workload"] not in ("shm", "put", "shm60", "put60"):
            continue
        cells = []
        for s in ("xenfb", "xenfb_nv", "xvnc", "x11vnc"):
            m = [e for e in rows if e["system"] == s and e["mode"] == d["mode"]
                 and e["workload"] == d["workload"] and e["enc"] == "raw"]
            if m and d["drawn_fps"]:
                cells.append("%.0f | %.2f" % (m[0]["drawn_fps"], m[0]["drawn_fps"] / d["drawn_fps"]))
            else:
                cells.append("– | –")
        out.append("| %s | %s | %.0f | %s |" % (d["mode"], WORKLOAD[d["workload"]], d["drawn_fps"],
                                               " | ".join(cells)))


def summary(rows, out):
    """One compact table: each workload a row, each system its figures."""
    out.append("| mode | workload | enc | fps: xenfb / Xvnc / x11vnc | torn: xenfb / Xvnc / x11vnc "
               "| latency median, p99 (ms): xenfb / Xvnc / x11vnc | CPU ms per frame, X + exporter: "
               "xenfb (of it the daemon) / Xvnc / Xvfb + x11vnc | kB per frame: xenfb / Xvnc |")
    out.append("|---|---|---|---|---|---|---|---|")
    keys = []
    for d in rows:
        k = (d["mode"], d["workload"], d["enc"])
        if d["workload"] != "idle" and k not in keys:
            keys.append(k)
    none = {"fps": "", "lat_n": 0, "cpu_frame_ms": "", "exp_frame_ms": "", "torn_frac": "",
            "kb_frame": ""}
    for k in keys:
        by = {d["system"]: d for d in rows if (d["mode"], d["workload"], d["enc"]) == k}
        x, v, w = (by.get(s, none) for s in ("xenfb", "xvnc", "x11vnc"))

        def lat(d):
            return "%.1f, %.0f" % (d["lat_med_ms"], d["lat_p99_ms"]) if d["lat_n"] else "–"

        def cpu(d):
            return fmt(d["cpu_frame_ms"], 1)

        def torn(d):
            return "%.0f%%" % (100 * d["torn_frac"]) if d["torn_frac"] != "" else "–"
        out.append("| %s | %s | %s | %s / %s / %s | %s / %s / %s | %s / %s / %s | %s (%s) / %s / %s "
                   "| %s / %s |" % (
                       k[0], WORKLOAD.get(k[1], k[1]), k[2], fmt(x["fps"]), fmt(v["fps"]),
                       fmt(w["fps"]), torn(x), torn(v), torn(w), lat(x), lat(v), lat(w), cpu(x),
                       fmt(x["exp_frame_ms"], 1), cpu(v), cpu(w), fmt(x["kb_frame"], 0),
                       fmt(v["kb_frame"], 0)))


def bars(rows, keys, metric, ylabel, title, path, systems=SYSTEMS, log=False, err=None):
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(keys) + 2), 4.2))
    n = len(systems)
    width = 0.8 / n
    for i, s in enumerate(systems):
        xs, ys, es = [], [], []
        for j, k in enumerate(keys):
            m = [d for d in rows if d["system"] == s and (d["mode"], d["workload"], d["enc"]) == k]
            if not m or m[0][metric] in ("", None) or m[0][metric] < 0:
                continue
            xs.append(j + (i - (n - 1) / 2) * width)
            ys.append(m[0][metric])
            es.append(max(0.0, m[0][err] - m[0][metric]) if err and m[0][err] not in ("", None) else 0)
        if xs:
            ax.bar(xs, ys, width, label=LABEL[s], color=COLOR[s],
                   yerr=[[0] * len(es), es] if err else None, capsize=2)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(["%s\n%s %s" % (WORKLOAD.get(w, w), m, e) for m, w, e in keys], fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def combine(dirs):
    """report.py --combine DIR...: medians over several runs, with min-max, as markdown."""
    runs = [[derive(r) for r in parse(os.path.join(d, "raw.txt"))] for d in dirs]
    keys = []
    for rows in runs:
        for d in rows:
            k = (d["mode"], d["workload"], d["enc"])
            if d["workload"] != "idle" and k not in keys:
                keys.append(k)

    def med(k, s, f, p=1):
        v = sorted(d[f] for rows in runs for d in rows
                   if d["system"] == s and (d["mode"], d["workload"], d["enc"]) == k
                   and d[f] not in ("", None) and (f[:3] != "lat" or d["lat_n"]))
        if not v:
            return "–"
        m = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
        if len(v) == 1:
            return "%.*f" % (p, m)
        return "%.*f (%.*f–%.*f)" % (p, m, p, v[0], p, v[-1])

    out = ["Medians over %d runs (min–max):" % len(runs), "",
           "| mode | workload | enc | fps at the client: xenfb / Xvnc | torn fraction: xenfb / Xvnc "
           "| latency median (ms): xenfb / Xvnc | CPU ms per frame (X + exporter): xenfb / Xvnc "
           "| of it xenfb's daemon | kB per frame: xenfb / Xvnc |",
           "|---|---|---|---|---|---|---|---|---|"]
    for k in keys:
        cells = []
        for f, p in (("fps", 1), ("torn_frac", 2), ("lat_med_ms", 1), ("cpu_frame_ms", 1)):
            cells.append(" / ".join(med(k, s, f, p) for s in ("xenfb", "xvnc")))
        cells.append(med(k, "xenfb", "exp_frame_ms", 1))
        cells.append(" / ".join(med(k, s, "kb_frame", 0) for s in ("xenfb", "xvnc")))
        out.append("| %s | %s | %s | %s |" % (k[0], WORKLOAD.get(k[1], k[1]), k[2], " | ".join(cells)))
    print("\n".join(out))


def main():
    if sys.argv[1] == "--combine":
        return combine(sys.argv[2:])
    out_dir = sys.argv[1]
    rows = [derive(r) for r in parse(os.path.join(out_dir, "raw.txt"))]
    cols = list(rows[0].keys()) if rows else []
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for d in rows:
            w.writerow({k: ("%.4g" % v if isinstance(v, float) else v) for k, v in d.items()})

    md = []
    env = open(os.path.join(out_dir, "env.txt")).read().strip().splitlines()
    md.append("# Comparison results\n")
    md += ["    " + line for line in env]
    md.append("")
    md.append("Summary (details below):\n")
    summary(rows, md)
    md.append("\nEvery run:\n")
    table(rows, md)
    md.append("\nThe X side against Xorg's dummy driver (frames the X client completed per second):\n")
    xside(rows, md)
    md.append("\nIdle (1280x720, one client connected with an update request outstanding):\n")
    idle_table(rows, md)
    md.append("")
    open(os.path.join(out_dir, "results.md"), "w").write("\n".join(md) + "\n")

    def keys_of(pred):
        seen = []
        for d in rows:
            k = (d["mode"], d["workload"], d["enc"])
            if pred(d) and k not in seen:
                seen.append(k)
        return seen

    full = keys_of(lambda d: d["workload"] in ("shm", "put", "shm60", "put60"))
    small = keys_of(lambda d: d["workload"] in ("clock", "move", "xterm"))
    bars(rows, full, "fps", "frames/s (dummy: drawn)", "Full-screen frames delivered to the client",
         os.path.join(out_dir, "fps.png"), log=True)
    bars(rows, full, "cpu_frame_ms", "ms CPU per frame (X server + exporter)",
         "CPU per delivered frame (xenfb without xsimd)", os.path.join(out_dir, "cpu-per-frame.png"),
         log=True)
    bars(rows, full + small, "lat_med_ms", "ms (bar: median, whisker: p99)",
         "Draw -> pixels at the client", os.path.join(out_dir, "latency.png"),
         systems=["xenfb", "xvnc", "x11vnc"], log=True, err="lat_p99_ms")
    print("wrote results.csv, results.md, fps.png, cpu-per-frame.png, latency.png in " + out_dir)


main()
