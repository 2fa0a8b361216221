"""The tables of bench/perf.sh from its TSV: each path as a share of its ceiling measured in the
same run, and each read on the scaled data against the base data (flat within 20 %).

Usage: python3 bench/perf_table.py RESULTS.tsv SCALE
"""

import csv
import sys


def main(path, scale):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    for be in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == be]
        # Each ceiling is measured before juece's paths and again after them (the machine's
        # speed moves between minutes): a share is against the mean of the two.
        seen = {}
        for r in mine:
            if r["path"] == "ceiling: constant JSON":
                seen.setdefault("const", []).append(float(r["req_s"]))
            elif r["path"] == "ceiling: handler + 1 insert":
                seen.setdefault("insert", []).append(float(r["req_s"]))
        ceil = {k: sum(v) / len(v) for k, v in seen.items()}
        for k, v in seen.items():
            if len(v) > 1:
                print(f"- {be}: ceiling {k} measured {len(v)} times: "
                      + ", ".join(f"{x:.0f}" for x in v) + f" req/s; shares use the mean, {ceil[k]:.0f}\n")
        print(f"## {be}: each path as a share of its ceiling (req/s), measured in the same run\n")
        print("| path | data | req/s | p50 ms | p99 ms | errors | ceiling (req/s) | share | load |")
        print("|---|---|---:|---:|---:|---:|---|---:|---|")
        for r in mine:
            if r["ceiling"] not in ("const", "insert", "-") or not r["p50_ms"]:
                continue
            share, c = "", ""
            if r["ceiling"] in ceil:
                c = f"{r['ceiling']} {ceil[r['ceiling']]:.0f}"
                share = f"{100 * float(r['req_s']) / ceil[r['ceiling']]:.1f} %"
            print(
                f"| {r['path']} | {r['data']} | {float(r['req_s']):.0f} | {r['p50_ms']} | "
                f"{r['p99_ms']} | {r['errors']} | {c} | {share} | {r['load']} |"
            )
        print()
        base = {r["path"]: r for r in mine if r["data"] == "base"}
        scaled = {r["path"]: r for r in mine if r["data"] == scale and r["path"] in base}
        if scaled:
            print(f"## {be}: base data (demo + 100 decisions) against {scale} data\n")
            print("| path | base req/s | " + scale + " req/s | ratio | base p50 ms | "
                  + scale + " p50 ms | flat (within 20 %) |")
            print("|---|---:|---:|---:|---:|---:|---|")
            for p, s in scaled.items():
                b = base[p]
                if float(b["req_s"]) == 0:
                    print(f"| {p} | 0 | {float(s['req_s']):.0f} | – | – | – | not measured |")
                    continue
                ratio = float(s["req_s"]) / float(b["req_s"])
                flat = "yes" if ratio >= 0.8 else "**no**"
                print(
                    f"| {p} | {float(b['req_s']):.0f} | {float(s['req_s']):.0f} | {ratio:.2f} | "
                    f"{b['p50_ms']} | {s['p50_ms']} | {flat} |"
                )
            print()
        for r in mine:
            if r["ceiling"] == "-" and not r["p50_ms"] and r["path"] not in ("",):
                print(f"- {be}, {r['data']} data: {r['path']}: {r['req_s']} (load {r['load']})")
        print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
