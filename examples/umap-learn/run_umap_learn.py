#!/usr/bin/python3
"""umap-learn baseline for ClusteringBenchmark (issue 5).

Run with Debian's interpreter, which sees the Debian package (apt-get install umap-learn):
    /usr/bin/python3 examples/umap-learn/run_umap_learn.py DIR N [--threads T]
Reads DIR/blobs-N.f32 (row-major little-endian float32, N x 1280, written by
`ClusteringBenchmark --write-data DIR`), runs umap.UMAP with the defaults our Java port mirrors
(n_neighbors=15, min_dist=0.1, euclidean, n_components=2), times fit_transform, and scores trustworthiness
(k=5) on the same evenly spaced 2000-row subset as org.humpback.transforms.cluster.Trustworthiness.sampled:
rows floor(i * N / 2000). Prints the figures and writes DIR/umap_learn-N.json for the Java benchmark.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

DIMS = 1280
SAMPLE = 2000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-warmup", action="store_true",
                    help="time the first fit too (it includes numba's JIT compilation)")
    ap.add_argument("--seed", type=int, default=None,
                    help="random_state; umap-learn then runs single-threaded (default: none, parallel)")
    args = ap.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))

    import umap
    from sklearn.manifold import trustworthiness

    path = os.path.join(args.dir, "blobs-%d.f32" % args.n)
    x = np.fromfile(path, dtype="<f4")
    if x.size != args.n * DIMS:
        sys.exit("%s holds %d floats, expected %d x %d" % (path, x.size, args.n, DIMS))
    x = x.reshape(args.n, DIMS)

    if not args.no_warmup:
        # numba compiles UMAP's kernels on first use; a small fit first keeps compilation out of the timing,
        # as the JVM's own warm-up is inside our Java timing (so this favours umap-learn, if anything).
        umap.UMAP(n_neighbors=15, min_dist=0.1, n_epochs=10).fit_transform(x[:2000])

    reducer = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, metric="euclidean",
                        random_state=args.seed)
    t0 = time.perf_counter()
    emb = reducer.fit_transform(x)
    seconds = time.perf_counter() - t0

    m = min(args.n, SAMPLE)
    idx = (np.arange(m, dtype=np.int64) * args.n) // m
    trust = float(trustworthiness(x[idx], emb[idx], n_neighbors=5))
    out = {"n": args.n, "d": DIMS, "seconds": seconds, "trustworthiness": trust,
           "umap_version": umap.__version__, "threads": args.threads, "warmup": not args.no_warmup,
           "n_epochs": int(reducer.n_epochs) if reducer.n_epochs is not None else None}
    print("umap-learn %s n=%d d=%d: %.1f s, trustworthiness(k=5, %d-row sample)=%.4f"
          % (umap.__version__, args.n, DIMS, seconds, m, trust))
    with open(os.path.join(args.dir, "umap_learn-%d.json" % args.n), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
