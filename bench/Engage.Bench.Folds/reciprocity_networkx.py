"""Edge reciprocity of a directed edge list with networkx: load and compute times (wall and CPU) and r, as one JSON line.

Run with Debian's interpreter (/usr/bin/python3), which sees the python3-networkx package:
    /usr/bin/python3 reciprocity_networkx.py EDGES.txt
The edge list is "from to" per line, 0-based integer ids, no loops, no duplicate edges.
"""
import json
import sys
import time

import networkx as nx


def main(path):
    c0, t0 = time.process_time(), time.perf_counter()
    g = nx.read_edgelist(path, create_using=nx.DiGraph, nodetype=int)
    c1, t1 = time.process_time(), time.perf_counter()
    r = nx.overall_reciprocity(g)
    c2, t2 = time.process_time(), time.perf_counter()
    print(json.dumps({"tool": "networkx " + nx.__version__, "vertices": g.number_of_nodes(), "edges": g.number_of_edges(),
                      "load_s": t1 - t0, "compute_s": t2 - t1,
                      "load_cpu_s": c1 - c0, "compute_cpu_s": c2 - c1, "r": repr(float(r))}))


if __name__ == "__main__":
    main(sys.argv[1])
