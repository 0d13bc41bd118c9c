"""Writes the Python hdbscan library's reference output for HdbscanLibraryReferenceTest.

Imports an installed hdbscan 0.8.40 (see README.md beside this file for how it was built); it does not build
anything. Reads the 2-d points written by HdbscanReferenceEmbeddings and writes, into OUT_DIR:

  {dataset}-points.npy                n x 2 float32, the points clustered (copied from the input, or derived)
  {dataset}-mcs{M}-ms{S}[-eps{E}][-leaf][-single].npy
                                      n x 3 float64: label (-1 noise), probabilities_, outlier_scores_
  {dataset}-mst-k{K}.npy              (n-1) x 3 float64: the library's spanning tree (a, b, distance) in the order
                                      its label() merged them, for min_samples K as the library finally used it
  cases.csv                           one line per case: its parameters, n, clusters, noise

Usage:  /usr/bin/python3 make_reference.py CORPUS.npy FORMATS.npy OUT_DIR
"""
import csv
import os
import sys

import numpy as np
import hdbscan

# The glacier-bay WAV's rows in the corpus points (rows 78..144: the 88 corpus files sorted by path, see README).
GLACIER_BAY_WAV = slice(78, 78 + 67)
MIN_CLUSTER_SIZES = (5, 10, 25)
MIN_SAMPLES = (None, 1, 3)
# Beyond the grid, the other selection parameters: (dataset, min_cluster_size, min_samples,
# cluster_selection_epsilon, cluster_selection_method, allow_single_cluster).
EXTRA = (
    ("corpus", 10, None, 0.5, "eom", False),
    ("corpus", 10, None, 2.0, "eom", False),
    ("corpus", 5, None, 0.0, "leaf", False),
    ("corpus", 5, None, 0.5, "leaf", False),
    ("corpus", 25, None, 0.0, "eom", True),
    ("corpus", 25, None, 3.0, "eom", True),
    ("copies", 10, 3, 0.5, "eom", False),
)


def main(corpus_npy, formats_npy, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith(".npy"):
            os.remove(os.path.join(out_dir, f))
    corpus = np.load(corpus_npy)
    formats = np.load(formats_npy)
    # Exact duplicates in the clustering space: the glacier-bay recording imported three times.
    copies = np.vstack([corpus, corpus[GLACIER_BAY_WAV], corpus[GLACIER_BAY_WAV]])
    datasets = {"corpus": corpus, "formats": formats, "copies": copies}
    cases = [(name, mcs, ms, 0.0, "eom", False)
             for name in datasets for mcs in MIN_CLUSTER_SIZES for ms in MIN_SAMPLES] + list(EXTRA)
    for name, points in datasets.items():
        assert points.dtype == np.float32 and points.shape[1] == 2
        np.save(os.path.join(out_dir, name + "-points.npy"), points)
    with open(os.path.join(out_dir, "cases.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["dataset", "min_cluster_size", "min_samples", "epsilon", "method", "allow_single", "n",
                    "clusters", "noise", "file"])
        for name, mcs, ms, eps, method, single in cases:
            x = datasets[name].astype(np.float64)
            # Everything else at the library's defaults (the seed's way of calling it).
            c = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms, cluster_selection_epsilon=eps,
                                cluster_selection_method=method, allow_single_cluster=single,
                                gen_min_span_tree=True).fit(x)
            # The tree depends only on min_samples (min_cluster_size when unset): one file per value.
            k = mcs if ms is None else ms
            mst = os.path.join(out_dir, "%s-mst-k%d.npy" % (name, k))
            if not os.path.exists(mst):
                np.save(mst, c.minimum_spanning_tree_._mst)
            tag = "none" if ms is None else str(ms)
            out_name = "%s-mcs%d-ms%s%s%s%s.npy" % (name, mcs, tag, "-eps%g" % eps if eps else "",
                                                   "-leaf" if method == "leaf" else "", "-single" if single else "")
            out = np.column_stack([c.labels_.astype(np.float64), c.probabilities_, c.outlier_scores_])
            np.save(os.path.join(out_dir, out_name), out)
            clusters = int(c.labels_.max()) + 1
            noise = int((c.labels_ == -1).sum())
            w.writerow([name, mcs, tag, eps, method, single, len(x), clusters, noise, out_name])
            print("%-40s n=%d clusters=%d noise=%d" % (out_name, len(x), clusters, noise))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
