#!/usr/bin/env python3
"""Merge two independent annotators' signal labels into one labelled set.

Usage: merge-signal-labels.py CANDIDATES LABELS_A LABELS_B [DEV] > merged.jsonl

CANDIDATES: one JSON text per line (id, platform, kind, mentions, text).
LABELS_A/B: one line per id with `labels` {signal: true/false}, made independently with docs/signals.md.
DEV (optional): an already merged set (labels true/false/null) appended as set "dev".
A label is kept where A and B agree and is null where they disagree. Slack texts are never written
(their licence allows evaluation only). Cohen's kappa per signal goes to stderr.
"""
import json
import sys

SIGNALS = ["question", "thanks", "recommendation", "lowContent", "linkOnly"]


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def kappa(a, b):
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa = sum(a) / n
    pb = sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def main():
    candidates = read(sys.argv[1])
    a = {r["id"]: r["labels"] for r in read(sys.argv[2])}
    b = {r["id"]: r["labels"] for r in read(sys.argv[3])}
    out = []
    for c in candidates:
        la, lb = a[c["id"]], b[c["id"]]
        labels = {s: (la[s] if la[s] == lb[s] else None) for s in SIGNALS}
        out.append({"id": c["id"], "platform": c["platform"], "kind": c["kind"], "mentions": c.get("mentions", []),
                    "text": c["text"], "labels": labels, "set": "new"})
    for s in SIGNALS:
        xs = [bool(a[c["id"]][s]) for c in candidates]
        ys = [bool(b[c["id"]][s]) for c in candidates]
        agreed = sum(1 for r in out if r["labels"][s] is True)
        print(f"{s}: kappa {kappa(xs, ys):.3f}, disagreements {sum(x != y for x, y in zip(xs, ys))}, agreed positives {agreed}",
              file=sys.stderr)
    if len(sys.argv) > 4:
        for d in read(sys.argv[4]):
            out.append({"id": d["id"], "platform": d["platform"], "kind": d["kind"], "mentions": d.get("mentions", []),
                        "text": d["text"], "labels": {s: d["labels"][s] for s in SIGNALS}, "set": "dev"})
    seen = set()
    for r in out:
        if r["platform"] == "slack" or r["id"] in seen:
            continue
        seen.add(r["id"])
        print(json.dumps(r, ensure_ascii=False))


main()
