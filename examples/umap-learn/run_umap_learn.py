#!/usr/bin/python3
"""The peer side of ClusteringBenchmark's UMAP comparison: times umap-learn on an .npy matrix.

Usage:  /usr/bin/python3 run_umap_learn.py IN.npy OUT.npy [--seed 42] [--no-warmup]
Runs umap.UMAP as the seed runs it with a clustering job's defaults (n_neighbors=15, min_dist=0.1, n_components=2,
euclidean, random_state=SEED, every other parameter at the library's default: spectral init, n_jobs=-1; a set
random_state makes umap-learn 0.5.3 optimise the layout on one thread, while its NN-descent uses every core), times
fit_transform on the float32 rows, writes the embedding as float64 .npy and prints one JSON line:
{"seconds": ..., "n_epochs": ..., "umap_version": ..., "n": ..., "d": ...}. Loading the file is not timed.

Debian's interpreter sees the Debian package (apt-get install umap-learn); the pyenv python3 on PATH does not.
Trustworthiness and HDBSCAN are computed by the Java side on this embedding, the same way as on ours.
"""
import argparse
import json
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-warmup", action="store_true",
                    help="time the first fit too (it includes numba's JIT compilation)")
    args = ap.parse_args()

    import umap  # after parsing, so that --help works without the package

    x = np.load(args.input).astype(np.float32, copy=False)
    if x.ndim != 2:
        raise SystemExit("%s: expected an n x d matrix, got shape %s" % (args.input, x.shape))
    if not args.no_warmup:
        # numba compiles UMAP's and pynndescent's kernels on first use; a short fit first keeps compilation out of
        # the timing, while the JVM's own warm-up is inside our Java timing (so this favours umap-learn, if anything).
        # 5,000 rows: above 4,096 umap-learn switches from exact neighbours to NN-descent, so both paths compile.
        umap.UMAP(n_neighbors=15, min_dist=0.1, n_epochs=10, random_state=args.seed).fit_transform(
            x[: min(len(x), 5000)])

    reducer = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, metric="euclidean",
                        random_state=args.seed)
    t0 = time.perf_counter()
    emb = reducer.fit_transform(x)
    seconds = time.perf_counter() - t0
    np.save(args.output, emb.astype(np.float64))
    n_epochs = reducer.n_epochs if reducer.n_epochs is not None else (500 if len(x) <= 10000 else 200)
    print(json.dumps({"seconds": seconds, "n_epochs": int(n_epochs), "umap_version": umap.__version__,
                      "n": int(x.shape[0]), "d": int(x.shape[1])}))


if __name__ == "__main__":
    main()
