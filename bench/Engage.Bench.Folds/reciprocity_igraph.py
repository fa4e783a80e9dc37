"""Edge reciprocity of a directed edge list with python3-igraph: load and compute times (wall and CPU) and r, as one JSON line.

Run with Debian's interpreter (/usr/bin/python3), which sees the python3-igraph package:
    /usr/bin/python3 reciprocity_igraph.py EDGES.txt
The edge list is "from to" per line, 0-based integer ids, no loops, no duplicate edges.
"""
import json
import sys
import time

import igraph


def main(path):
    c0, t0 = time.process_time(), time.perf_counter()
    g = igraph.Graph.Read_Edgelist(path, directed=True)
    c1, t1 = time.process_time(), time.perf_counter()
    r = g.reciprocity(ignore_loops=True, mode="default")
    c2, t2 = time.process_time(), time.perf_counter()
    print(json.dumps({"tool": "igraph " + igraph.__version__, "vertices": g.vcount(), "edges": g.ecount(),
                      "load_s": t1 - t0, "compute_s": t2 - t1,
                      "load_cpu_s": c1 - c0, "compute_cpu_s": c2 - c1, "r": repr(r)}))


if __name__ == "__main__":
    main(sys.argv[1])
