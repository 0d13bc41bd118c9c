package org.humpback.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.humpback.transforms.cluster.Metric;
import org.junit.jupiter.api.Test;

class ClusteringParametersTest {

  @Test
  void defaultsAreTheSeeds() {
    for (String json : new String[] {null, "", "  ", "{}", "null"}) {
      ClusteringParameters p = ClusteringParameters.parse(json);
      assertTrue(p.useUmap());
      assertEquals(2, p.umapNComponents());
      assertEquals(15, p.umapNNeighbors());
      assertEquals(0.1, p.umapMinDist());
      assertEquals(List.of(5), p.minClusterSizes());
      assertEquals(5, p.minClusterSize());
      assertNull(p.minSamples());
      assertEquals(Metric.EUCLIDEAN, p.metric());
      assertEquals(ClusteringParameters.DEFAULT_SEED, p.randomSeed());
      assertNull(p.pcaComponents());
      assertNull(p.labelField());
      assertFalse(p.isSweep());
    }
  }

  @Test
  void everyFieldIsRead() {
    ClusteringParameters p = ClusteringParameters.parse("""
        {"use_umap": false, "umap_n_components": 5, "umap_n_neighbors": 30, "umap_min_dist": 0.0,
         "min_cluster_size": [10, 20], "min_samples": 3, "metric": "Cosine", "random_seed": 7,
         "pca_components": 50, "label_field": "tag_data.label"}""");
    assertFalse(p.useUmap());
    assertEquals(5, p.umapNComponents());
    assertEquals(30, p.umapNNeighbors());
    assertEquals(0.0, p.umapMinDist());
    assertEquals(List.of(10, 20), p.minClusterSizes());
    assertTrue(p.isSweep());
    assertEquals(3, p.minSamples());
    assertEquals(Metric.COSINE, p.metric());
    assertEquals(7L, p.randomSeed());
    assertEquals(50, p.pcaComponents());
    assertEquals("tag_data.label", p.labelField());
    // The canonical JSON reads back to the same parameters.
    assertEquals(p, ClusteringParameters.parse(p.toJson()));
    assertEquals(ClusteringParameters.defaults(), ClusteringParameters.parse(ClusteringParameters.defaults().toJson()));
  }

  @Test
  void integralFloatsAreAcceptedAsIntegers() {
    assertEquals(List.of(8), ClusteringParameters.parse("{\"min_cluster_size\": 8.0}").minClusterSizes());
  }

  @Test
  void errorsNameTheFieldAndValue() {
    assertError("{\"min_cluster_size\": 1}", "min_cluster_size");
    assertError("{\"min_cluster_size\": []}", "min_cluster_size");
    assertError("{\"min_cluster_size\": [5, 5]}", "distinct");
    assertError("{\"min_cluster_size\": \"five\"}", "min_cluster_size");
    assertError("{\"min_samples\": 0}", "min_samples: 0");
    assertError("{\"umap_n_components\": 0}", "umap_n_components: 0");
    assertError("{\"umap_n_neighbors\": 1}", "umap_n_neighbors: 1");
    assertError("{\"umap_min_dist\": -1}", "umap_min_dist: -1");
    assertError("{\"metric\": \"manhattan\"}", "metric: \"manhattan\"");
    assertError("{\"use_umap\": \"yes\"}", "use_umap");
    assertError("{\"pca_components\": 0}", "pca_components: 0");
    assertError("{\"random_seed\": 1.5}", "random_seed");
    assertError("{\"label_field\": \"colour\"}", "label_field: 'colour'");
    assertError("{\"label_field\": \"tag_data.\"}", "label_field");
    assertError("{\"min_clustersize\": 5}", "Unknown clustering parameter 'min_clustersize'");
    assertError("[1, 2]", "expected a JSON object");
    assertError("{not json", "not JSON");
  }

  private static void assertError(String json, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusteringParameters.parse(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
