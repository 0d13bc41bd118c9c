# Writes HDBSCAN reference labels for HdbscanReferenceTest with R's dbscan package (Debian: r-cran-dbscan,
# dbscan 1.1-11). Run from this directory:  Rscript make_reference.R
# The Java test only reads the CSV files written here; R is not needed at test time.
#
# Conventions (match ours): core distance = kNNdist(x, k = minPts - 1), i.e. the minPts-th neighbour counting the
# point itself; EOM selection; root never selected. R numbers noise 0 and clusters 1..k; we write noise as -1 and
# clusters as 0..k-1 (numbering does not matter, the test compares with the adjusted Rand index).
suppressMessages(library(dbscan))

write_case <- function(name, x, labels, min_cluster_size, min_samples) {
  write.csv(format(x, digits = 17), paste0(name, "-input.csv"), row.names = FALSE, quote = FALSE)
  out <- data.frame(label = ifelse(labels == 0, -1L, labels - 1L))
  write.csv(out, paste0(name, "-labels.csv"), row.names = FALSE, quote = FALSE)
  cat(sprintf("%s: n=%d d=%d min_cluster_size=%d min_samples=%d clusters=%d noise=%d\n", name, nrow(x), ncol(x),
              min_cluster_size, min_samples, length(setdiff(unique(labels), 0)), sum(labels == 0)))
}

# HDBSCAN with min_samples != min_cluster_size, assembled from the same internal steps dbscan::hdbscan uses
# (coredist -> mrdist -> prims -> hclustMergeOrder -> computeStability -> extractUnsupervised), but with the core
# distance neighbourhood (min_samples) and the minimum cluster size passed separately.
hdbscan_split <- function(x, min_cluster_size, min_samples) {
  cd <- dbscan:::coredist(x, min_samples)
  mrd <- dbscan:::mrdist(x, min_samples, coredist = cd)
  n <- attr(mrd, "Size")
  mst <- dbscan:::prims(mrd, n)
  hc <- dbscan:::hclustMergeOrder(mst, order(mst[, 3]))
  res <- dbscan:::computeStability(hc, min_cluster_size, compute_glosh = FALSE)
  res <- dbscan:::extractUnsupervised(res)
  cl <- attr(res, "cluster")
  sl <- attr(res, "salient_clusters")
  if (any(cl == 0)) match(cl, c(0, sl)) - 1 else match(cl, sl)
}

blobs <- function(n_per, centers, sds, n_noise, box) {
  d <- ncol(centers)
  parts <- lapply(seq_len(nrow(centers)), function(i)
    matrix(rnorm(n_per * d, sd = sds[i]), ncol = d) + matrix(centers[i, ], n_per, d, byrow = TRUE))
  noise <- matrix(runif(n_noise * d, -box, box), ncol = d)
  x <- do.call(rbind, c(parts, list(noise)))
  x[sample(nrow(x)), , drop = FALSE]
}

set.seed(20240601)

# 2-D: three blobs of different spread plus uniform noise; rounded to 0.05 so many distances tie.
x2 <- round(blobs(120, rbind(c(0, 0), c(6, 1), c(2, 7)), c(0.6, 1.0, 0.8), 40, 10) * 20) / 20
write_case("blobs2d-minpts10", x2, hdbscan(x2, minPts = 10)$cluster, 10, 10)

# 5-D: four blobs plus noise.
c5 <- matrix(runif(4 * 5, -8, 8), ncol = 5)
x5 <- blobs(150, c5, c(1, 1, 1.5, 0.7), 60, 10)
write_case("blobs5d-minpts15", x5, hdbscan(x5, minPts = 15)$cluster, 15, 15)

# Integer grid: exact ties everywhere (two 7x7 lattices, one sparser, plus scattered integer noise).
g1 <- as.matrix(expand.grid(0:6, 0:6))
g2 <- as.matrix(expand.grid(seq(20, 32, by = 2), seq(0, 12, by = 2)))
gn <- cbind(c(10, 14, 40, 3, 25), c(20, 30, 8, -9, 25))
xg <- rbind(g1, g2, gn)
storage.mode(xg) <- "double"
xg <- xg[sample(nrow(xg)), , drop = FALSE]
colnames(xg) <- c("V1", "V2")
write_case("grid-ties-minpts5", xg, hdbscan(xg, minPts = 5)$cluster, 5, 5)

# min_samples (core distances) different from min_cluster_size, through the internals above.
write_case("blobs2d-mcs25-ms5", x2, hdbscan_split(x2, 25, 5), 25, 5)
write_case("blobs5d-mcs10-ms30", x5, hdbscan_split(x5, 10, 30), 10, 30)
