"""The peer side of ClusteringBenchmark --hdbscan-npy: times the Python hdbscan library on an .npy matrix.

Usage:  python3 run_hdbscan.py FILE.npy MIN_CLUSTER_SIZE LABELS_OUT.npy
Fits hdbscan.HDBSCAN(min_cluster_size=M) with every other parameter at the library's defaults (the seed's way),
writes the labels as int32 .npy and prints one JSON line: {"seconds": ..., "clusters": ..., "n": ...}.
The time covers fit() on float64 input, as the seed calls it; loading the file is not timed.
"""
import json
import sys
import time

import numpy as np
import hdbscan


def main(path, mcs, out):
    x = np.load(path).astype(np.float64)
    t0 = time.perf_counter()
    c = hdbscan.HDBSCAN(min_cluster_size=int(mcs)).fit(x)
    seconds = time.perf_counter() - t0
    np.save(out, c.labels_.astype(np.int32))
    print(json.dumps({"seconds": seconds, "clusters": int(c.labels_.max()) + 1, "n": len(x)}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
