#!/usr/bin/env python3
"""Calibrate and measure `reportsearch compare` on eval/testdata/compare.jsonl.

Usage: compare-eval.py RS_BINARY DATA_DIR [extra reportsearch flags...]

Runs `compare --format json --min-cover 0.0001` once per question (the chosen
passage does not depend on the threshold), then for each threshold t prints:
precision (found rows whose passage matches every anchor / found rows),
recall (answering reports whose row is found with a passage matching every
anchor / answering reports) and the not-found rate (rows not found / rows).
"""
import json, re, subprocess, sys, time

rs, data = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
qs = [json.loads(l) for l in open("eval/testdata/compare.jsonl")]
runs = []
lat = []
for q in qs:
    t0 = time.time()
    out = subprocess.run([rs, "--data-dir", data, *extra, "compare", q["question"], "--format", "json", "--min-cover", "0.0001"],
                         capture_output=True, text=True, check=True).stdout
    lat.append(time.time() - t0)
    runs.append((q, json.loads(out)))
print("latency per question (s, process incl.): median %.2f max %.2f" % (sorted(lat)[len(lat)//2], max(lat)))
print("%-6s %9s %7s %9s" % ("t", "precision", "recall", "notfound"))
best = None
for t in [x / 20 for x in range(1, 20)]:
    found = good = rec = ans = rows = nf = 0
    for q, out in runs:
        truly = {a["report"] for a in q["answers"]}
        ans += len(truly)
        for r in out["rows"]:
            rows += 1
            ok = r.get("result") and all(re.search(a, r["result"]["text"]) for a in q["anchors"])
            if r["cover"] >= t:
                found += 1
                good += bool(ok)
                rec += bool(ok) and r["label"] in truly
            else:
                nf += 1
    p = good / found if found else 0
    rc = rec / ans
    f1 = 2 * p * rc / (p + rc) if p + rc else 0
    print("%-6.2f %9.3f %7.3f %9.3f  F1 %.3f" % (t, p, rc, nf / rows, f1))
    if best is None or f1 > best[0]:
        best = (f1, t)
print("best F1 %.3f at t=%.2f" % best)
