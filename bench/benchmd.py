"""Turns bench/all.py's result JSON into Markdown tables.

    python3 bench/benchmd.py RESULTS.json              # print the tables
    python3 bench/benchmd.py RESULTS.json --md FILE    # replace FILE's generated section

The generated section of FILE (BENCHMARKS.md) lies between the lines
BEGIN and END below; without them it is inserted after the first heading.
Everything else in the file is kept.
"""
import argparse
import json
import statistics
import sys

BEGIN = "<!-- bench/all.sh: generated section, begin (bench/benchmd.py rewrites it) -->"
END = "<!-- bench/all.sh: generated section, end -->"
IDLE = 0.5  # load average below which a machine counts as idle


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def vals(cfg, key):
    return [r[key] for r in cfg["runs"] if r.get(key) is not None]


def cell(cfg, key, fmt="%.3g"):
    v = vals(cfg, key)
    if not v:
        return "–"
    if len(v) == 1:
        return fmt % v[0]
    return (fmt + " (" + fmt + "–" + fmt + ")") % (med(v), min(v), max(v))


def mb(cfg):
    """The process's peak resident memory in MB: median (min–max)."""
    v = [x / 1e6 for x in vals(cfg, "proc_rss")]
    if not v:
        return "–"
    f = "%.0f" if min(v) >= 100 else "%.3g"
    return f % med(v) if len(v) == 1 or (f % min(v)) == (f % max(v)) else (f + " (" + f + "–" + f + ")") % (med(v), min(v), max(v))


def ratio(peer, cfg, key):
    p, s = med(vals(peer, key)), med(vals(cfg, key))
    if not (p > 0 and s > 0):
        return "–"
    return "%.2f×" % (p / s)


def result(cfg):
    out = []
    for key, fmt in (("rate_hz", "%.2f Hz"), ("accuracy", "%.3f"), ("mse", "MSE %.4f"), ("train_rmse", "train RMSE %.4f"),
                     ("test_rmse", "test RMSE %.4f")):
        v = vals(cfg, key)
        if v:
            out.append(fmt % med(v))
    return ", ".join(out)


def loads(l0, l1):
    return "%.2f → %.2f" % (l0[0], l1[0])


def table(c):
    out = ["### " + c["title"], ""]
    out.append("%d alternating round(s); load average (1 min) %s over the comparison; medians with min–max in brackets."
               % (c["reps"], loads(c["load_before"], c["load_after"])))
    rm = c.get("remeasured")
    if rm:
        out.append("Measured again alone (`bench/all.sh --only %s --merge`) at spikelab commit %s%s, %s; load average "
                   "%.2f before that run%s." % (c["key"], rm["commit"], " (uncommitted changes)" if rm["dirty"] else "",
                                               rm["date"], rm["load_before"][0],
                                               "" if rm["load_before"][0] < IDLE else " (**not idle: not final**)"))
    if c.get("note"):
        out.append(c["note"])
    out += ["", "| configuration | threads | simulation CPU s | simulation wall s | process CPU s | process wall s "
            "| peak memory MB | peer ÷ this, simulation CPU | simulation wall | process CPU | result |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    peers = [p for p in c["configs"] if p["side"] == "peer"]
    for cfg in c["configs"]:
        rs = ["", "", ""]
        if cfg["side"] == "spikelab" and peers:
            # Against every peer row with the same thread count (e.g. PyTorch
            # float32 and float64), in table order; else the first peer.
            same = [p for p in peers if p["threads"] == cfg["threads"]] or peers[:1]
            rs = [" / ".join(ratio(p, cfg, k) for p in same) for k in ("sim_cpu", "sim_wall", "proc_cpu")]
        out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            cfg["name"], cfg["threads"], cell(cfg, "sim_cpu"), cell(cfg, "sim_wall"), cell(cfg, "proc_cpu", "%.2f"),
            cell(cfg, "proc_wall", "%.2f"), mb(cfg), rs[0], rs[1], rs[2], result(cfg)))
    out.append("")
    bw = c.get("bandwidth")
    if bw:
        out += bandwidth(bw, c.get("bandwidth_load"))
    return out


def bandwidth(bw, ld):
    """The RLS update's memory traffic against the machine's bandwidth (Go
    benchmarks of the learn package, one thread)."""
    names = [("N=4000/float32/block=16/threads=1", "RLS update, N = 4000, float32 P, block 16 (bytes of P per update: one read of the "
                              "upper triangle, one write of it per 16 updates, applied in the next read)"),
             ("copy/threads=1", "copy, 256 MiB arrays (16 bytes per element)"),
             ("read/threads=1", "read (dot product), 256 MiB arrays (16 bytes per element)")]
    out = ["Memory bandwidth, one thread (`go test ./learn -run '^$' -bench 'MemoryBandwidth|RLSBandwidth'`)%s:" % (
        "; load average %s" % loads(ld[0], ld[1]) if ld else ""), "",
        "| benchmark | GB/s (wall) | GB per CPU s |", "|---|---|---|"]
    for key, desc in names:
        m = bw.get(key)
        if m:
            out.append("| %s | %s | %s |" % (desc, "%.1f" % m["GB/s"] if "GB/s" in m else "–",
                                             "%.1f" % m["GB/cpu-s"] if "GB/cpu-s" in m else "–"))
    out.append("")
    return out


def mb1(x):
    """Bytes as MB, three figures below 100 MB."""
    return ("%.0f" if x >= 100e6 else "%.3g") % (x / 1e6)


def large_summary(res):
    """The summary of the large-network CUBA comparisons (key cuba-large)."""
    cs = [c for c in res["comparisons"] if c.get("key") == "cuba-large"]
    if not cs:
        return []
    bw = res["machine"].get("bandwidth") or {}
    out = ["### CUBA at 4000 to 64 000 neurons: summary", ""]
    if bw:
        out.append("Memory copy bandwidth of this machine (NumPy copy of 256 MiB, bytes read + written, best of 5): "
                   "%.1f GB/s on 1 thread, %.1f GB/s on 2 threads." % (bw["copy_gbps_1thread"], bw["copy_gbps_2threads"]))
    out.append("Goals (#19): spikelab's simulation CPU ≤ 0.3× Brian2's serial at every size; `--threads 2` ≥ 1.5× faster "
               "than `--threads 1` by wall from 16 000 neurons up (idle machine). *streamed* is the traffic of spikelab's "
               "2-thread loop (64 B of neuron state per neuron and step, 20 B per synaptic event: the 4-byte target "
               "index, the target read and written; one weight per projection, none read) over its simulation wall time, as a fraction of the 2-thread copy bandwidth; up to "
               "64 000 neurons the state (≤ 2 MB) stays in the caches, so a fraction near or above 100 % means the loop "
               "runs faster than main memory could feed it, well below it that memory bandwidth is not the limit. *Whole "
               "process* is the CPU time of the whole run on one thread (spikelab: set-up, drawing the synapses, and "
               "simulation; Brian2: its compiled binary, which creates the synapses and simulates), the time to a result "
               "once Brian2's code is compiled. *Peak memory* "
               "is the whole process's largest resident set on one thread (spikelab: the process; Brian2: its compiled "
               "binary), *Brian2 build* its code generation and compilation for that network, first run (not in any "
               "other column).")
    out += ["", "| neurons | p | synapses | rate spikelab / Brian2 | spikelab ÷ Brian2 simulation CPU (1 thread) "
            "| spikelab 2 ÷ 1 thread, wall speed-up | Brian2 OpenMP 2 ÷ serial, wall speed-up "
            "| spikelab 2 threads ÷ Brian2 OpenMP 2, wall | streamed (2 threads) | whole process CPU spikelab / Brian2 "
            "(1 thread) | peak memory spikelab / Brian2 | Brian2 build |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in cs:
        k = {cfg["key"]: cfg for cfg in c["configs"]}

        def m(key, field):
            return med(vals(k[key], field)) if key in k else float("nan")

        def q(x, y, fmt="%.2f×"):
            return fmt % (x / y) if x > 0 and y > 0 else "–"
        steps = c["duration_s"] * 1e4
        gb = (64 * c["n"] * steps + 20 * m("sl2", "events")) / 1e9
        stream = "–"
        if m("sl2", "sim_wall") > 0 and bw:
            g = gb / m("sl2", "sim_wall")
            stream = "%.1f GB/s (%.0f %%)" % (g, 100 * g / bw["copy_gbps_2threads"])
        mem = "–"
        if m("sl1", "proc_rss") > 0 and m("b1", "proc_rss") > 0:
            mem = "%s / %s MB (%.2f×)" % (mb1(m("sl1", "proc_rss")), mb1(m("b1", "proc_rss")),
                                          m("sl1", "proc_rss") / m("b1", "proc_rss"))
        proc = "–"
        if m("sl1", "proc_cpu") > 0 and m("b1", "proc_cpu") > 0:
            proc = "%.3g / %.3g s (%.2f×)" % (m("sl1", "proc_cpu"), m("b1", "proc_cpu"), m("sl1", "proc_cpu") / m("b1", "proc_cpu"))
        build = "–"
        if "b1" in k and k["b1"]["runs"] and k["b1"]["runs"][0].get("build_wall"):
            build = "%.1f s" % k["b1"]["runs"][0]["build_wall"]
        out.append("| %d | %.5g | %.3g M | %.2f / %.2f Hz | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c["n"], c["p"], m("sl1", "synapses") / 1e6, m("sl1", "rate_hz"), m("b1", "rate_hz"),
            q(m("sl1", "sim_cpu"), m("b1", "sim_cpu")), q(m("sl1", "sim_wall"), m("sl2", "sim_wall")),
            q(m("b1", "sim_wall"), m("b2", "sim_wall")), q(m("sl2", "sim_wall"), m("b2", "sim_wall")), stream,
            proc, mem, build))
    out.append("")
    return out


def render(res):
    m = res["machine"]
    l0 = res["load_before"]
    out = [BEGIN, "", "## Side by side, all comparisons (`bench/all.sh%s`)" % (" --quick" if res.get("quick") else ""), ""]
    out.append("Machine: %s, %s cores, %s, %s; kernel %s. %s; Python %s (%s). spikelab commit %s%s, %s." % (
        m["cpu_model"], m["cores"], m["memory"], m["cpu_flags"] or "no AVX2", m["kernel"], m["go"], m["python"],
        ", ".join("%s %s" % kv for kv in sorted(m["versions"].items())), m["commit"], " (uncommitted changes)" if m["dirty"] else "",
        m["date"]))
    out.append("")
    if l0[0] >= IDLE:
        out.append("**Measured on a loaded machine (load average %.2f at the start, %.2f at the end; idle means < %.1f): "
                   "the ratios are not final. Regenerate with `bench/all.sh` on an idle machine.**" % (
                       l0[0], res.get("load_after", l0)[0], IDLE))
        out.append("")
    if "load_after_build" in res:
        out.append("Load average before the harness: %.2f / %.2f / %.2f (1 / 5 / 15 min); after building spikelab: %.2f." % (
            l0[0], l0[1], l0[2], res["load_after_build"][0]))
        out.append("")
    out.append("How to read the tables: *simulation* is the loop each program times itself (spikelab: `loop_cpu_seconds` "
               "and `wall_seconds`/`loop_seconds`, or per training epoch; the peers: see each note), *process* the whole "
               "program as the harness measures it (rusage of the child, wall clock), *peak memory* its largest resident set "
               "(the child's ru_maxrss from wait4; Brian2 C++ standalone: its compiled binary's VmHWM; a Python peer's "
               "includes the interpreter and its libraries). *peer ÷ this* divides the peer's "
               "median by spikelab's, against the peer row with the same thread count (or its only row; against several "
               "such rows, one ratio each in table order, separated by /): above 1 spikelab is faster. Compare CPU with CPU and wall with wall; on a shared machine the wall times include waiting for "
               "a core, so there CPU seconds are the steadier figure.")
    out.append("")
    for i, c in enumerate(res["comparisons"]):
        if c.get("key") == "cuba-large" and (i == 0 or res["comparisons"][i - 1].get("key") != "cuba-large"):
            out += large_summary(res)
        out += table(c)
    for s in res.get("skipped", []):
        out.append("Not run: %s (%s)." % (s["key"], s["why"]))
    if res.get("skipped"):
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def splice(text, section):
    if BEGIN in text and END in text:
        a, b = text.index(BEGIN), text.index(END) + len(END)
        return text[:a] + section.rstrip("\n") + text[b:]
    lines = text.split("\n")
    head = next((i for i, l in enumerate(lines) if l.startswith("# ")), -1)
    return "\n".join(lines[:head + 1] + ["", section] + lines[head + 1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--md", help="Markdown file whose generated section is replaced")
    a = ap.parse_args()
    with open(a.results) as f:
        res = json.load(f)
    section = render(res)
    if not a.md:
        sys.stdout.write(section)
        return
    try:
        with open(a.md) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    with open(a.md, "w") as f:
        f.write(splice(text, section))


if __name__ == "__main__":
    main()
