#!/usr/bin/env python3
"""Where an Azurite process's CPU went, from a Node CPU profile (a .cpuprofile file, or the newest in a folder).

    ENGAGE_BENCH_AZURITE_PROFILE=/tmp/prof dotnet bench/Engage.Bench.Ingest/bin/Release/net10.0/Engage.Bench.Ingest.dll sections=a
    bench/azurite-profile.py /tmp/prof

Each sample goes to the first category its stack matches: the storage work a request asked for (table inserts,
transactions, reads, queue and blob operations) against what every request costs whatever it asks (HTTP parsing
and routing, shared-key authentication, the (de)serializers, socket writes), and the garbage collector. Prints a
markdown table of seconds and shares of the busy time (idle excluded).
"""
import collections
import glob
import json
import os
import sys


def category(stack):
    first = stack[0][0]
    if first == "(idle)":
        return "idle"
    if first == "(garbage collector)":
        return "garbage collector"
    if first == "(program)":
        return "Node itself (program)"
    files = [f for _, f in stack]
    functions = set(stack)
    if "TableBatchOrchestrator.js" in files:
        return "table: transactions (parsed, each entity handled, serialized)"
    if ("insertEntity", "TableHandler.js") in functions:
        return "table: single inserts"
    if ("queryEntitiesWithPartitionAndRowKey", "TableHandler.js") in functions:
        return "table: point reads"
    if ("queryEntities", "TableHandler.js") in functions:
        return "table: queries"
    if "TableHandler.js" in files:
        return "table: other entity operations (update, upsert, merge, delete)"
    if any(f in ("LokiExtentMetadataStore.js", "MemoryExtentStore.js") for f in files):
        return "queue and blob: bodies kept and freed (extents)"
    if any(f == "loader" for f in files):
        return "start-up: loading modules"
    if any("Messages" in f or "MessageId" in f for f in files):
        return "queue: message operations"
    if any("Blob" in f and "Handler" in f for f in files):
        return "blob: operations"
    if any(fn in ("handleWriteReq", "writevGeneric") for fn, _ in stack):
        return "per request: socket writes"
    if any("Authenticat" in f for f in files):
        return "per request: shared-key authentication (HMAC)"
    if any("serializ" in f.lower() or "msRest" in f for f in files):
        return "per request: (de)serializers"
    return "per request: HTTP parsing, routing, middleware, other"


def main(path):
    if os.path.isdir(path):
        path = max(glob.glob(os.path.join(path, "*.cpuprofile")), key=os.path.getmtime)
    with open(path) as f:
        profile = json.load(f)
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    self_time = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        self_time[sample] += delta
    spent = collections.Counter()
    for node, micros in self_time.items():
        stack, at = [], node
        while True:
            frame = nodes[at]["callFrame"]
            stack.append((frame["functionName"], frame["url"].split("/")[-1]))
            if at not in parent:
                break
            at = parent[at]
        spent[category(stack)] += micros
    busy = sum(v for k, v in spent.items() if k != "idle")
    print(f"Azurite CPU profile {os.path.basename(path)}: {busy / 1e6:.1f} s busy, {spent['idle'] / 1e6:.1f} s idle\n")
    print("| where | CPU s | share of busy |")
    print("|---|---:|---:|")
    for name, micros in spent.most_common():
        if name != "idle":
            print(f"| {name} | {micros / 1e6:.2f} | {100 * micros / busy:.1f} % |")
    per_request = sum(v for k, v in spent.items() if k.startswith("per request"))
    print(f"\nPer-request overhead (whatever the request asks): {100 * per_request / busy:.1f} % of the busy time.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
