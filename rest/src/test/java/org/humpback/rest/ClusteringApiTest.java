package org.humpback.rest;

import static org.humpback.rest.ProcessingApiTest.assertDetail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.Ids;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusteringApiTest {

  @TempDir static Path root;
  static TestApi api;
  static EmbeddingSet a;
  static EmbeddingSet b;
  static EmbeddingSet other;

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
    api.insertModel("tiny8", 8, true);
    api.insertModel("tiny4", 4, false);
    a = api.insertEmbeddingSet(api.uploadId(100), "tiny8", 8);
    b = api.insertEmbeddingSet(api.uploadId(200), "tiny8", 8);
    other = api.insertEmbeddingSet(api.uploadId(300), "tiny4", 4);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void createGetAndList() {
    TestApi.Resp r = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\", \"" + b.id()
        + "\"], \"parameters\": {\"min_cluster_size\": 5}}");
    assertEquals(201, r.status(), r::toString);
    JsonNode j = r.json();
    for (String field : List.of("id", "status", "embedding_set_ids", "parameters", "error_message", "created_at",
        "updated_at", "metrics")) {
      assertTrue(j.has(field), "missing " + field + " in " + j);
    }
    assertEquals("queued", j.get("status").asText());
    assertEquals(2, j.get("embedding_set_ids").size());
    assertEquals(5, j.get("parameters").get("min_cluster_size").asInt());
    String id = j.get("id").asText();
    assertEquals(id, api.get("/clustering/jobs/" + id).json().get("id").asText());
    assertTrue(api.get("/clustering/jobs").json().toString().contains(id));
    assertEquals(0, api.get("/clustering/jobs/" + id + "/clusters").json().size());
  }

  @Test
  void mixedDimsAndEmptySelectionAre400() {
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\", \"" + other.id()
        + "\"]}"), 400, "4 (");
    TestApi.Resp mixed = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\", \"" + other.id()
        + "\"]}");
    assertTrue(mixed.json().get("detail").asText().contains("8 ("), mixed::toString);
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": []}"), 400, "at least one");
    assertDetail(api.post("/clustering/jobs", "{}"), 422, "embedding_set_ids");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": \"x\"}"), 422, "embedding_set_ids");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"ghost\"]}"), 404, "ghost");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\"], \"parameters\": "
        + "{\"min_cluster_size\": 1}}"), 422, "min_cluster_size");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\"], \"parameters\": 7}"),
        422, "parameters");
  }

  /** Issue 15 item 1 (clustering): parameters that cannot fit the selected data are refused naming it. */
  @Test
  void absurdParametersAreRefusedNamingTheData() {
    String both = "{\"embedding_set_ids\": [\"" + a.id() + "\", \"" + b.id() + "\"], \"parameters\": ";
    // a and b hold 3 windows each of 8 dims.
    assertDetail(api.post("/clustering/jobs", both + "{\"umap_n_components\": 1000000}}"), 422, "umap_n_components");
    assertDetail(api.post("/clustering/jobs", both + "{\"umap_n_components\": 6}}"), 422, "6 points");
    assertDetail(api.post("/clustering/jobs", both + "{\"min_cluster_size\": 1000000000}}"), 422, "6 points");
    assertDetail(api.post("/clustering/jobs", both + "{\"min_cluster_size\": [3, 1000000000]}}"), 422,
        "min_cluster_size");
    assertDetail(api.post("/clustering/jobs", both + "{\"pca_components\": 5000}}"), 422, "8 dims");
    TestApi.Resp fine = api.post("/clustering/jobs", both + "{\"umap_n_components\": 5, \"pca_components\": 8, "
        + "\"min_cluster_size\": 6}}");
    assertEquals(201, fine.status(), fine::toString);
    // The seed's defaults stay accepted on tiny data.
    assertEquals(201, api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\"]}").status());
  }

  /** Issue 15 item 1 (clustering): a clustering job can be canceled, so a bad one cannot hold the queue. */
  @Test
  void cancelQueuedClusteringJobThenConflict() {
    String id = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\"]}").json().get("id").asText();
    TestApi.Resp canceled = api.post("/clustering/jobs/" + id + "/cancel", null);
    assertEquals(200, canceled.status(), canceled::toString);
    assertEquals("canceled", canceled.json().get("status").asText());
    assertEquals("canceled", api.get("/clustering/jobs/" + id).json().get("status").asText());
    assertDetail(api.post("/clustering/jobs/" + id + "/cancel", null), 409, "canceled");
    assertDetail(api.post("/clustering/jobs/nope/cancel", null), 404, "nope");
  }

  @Test
  void clustersAndPagedAssignments() {
    String jobId = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + a.id() + "\"]}").json()
        .get("id").asText();
    // Rows as the clustering worker writes them.
    Cluster c = new Cluster(Ids.newId(), jobId, 0, 3, "{\"files\": 1}");
    api.db.dao(ClusterDao.class).insert(c);
    api.db.dao(ClusterAssignmentDao.class).insertAll(List.of(
        new ClusterAssignment(Ids.newId(), c.id(), a.id(), 0, 0.0, 1.0, null, null),
        new ClusterAssignment(Ids.newId(), c.id(), a.id(), 1, 1.0, 2.0, null, null),
        new ClusterAssignment(Ids.newId(), c.id(), a.id(), 2, 2.0, 3.0, null, null)));

    JsonNode clusters = api.get("/clustering/jobs/" + jobId + "/clusters").json();
    assertEquals(1, clusters.size());
    JsonNode cl = clusters.get(0);
    for (String field : List.of("id", "clustering_job_id", "cluster_label", "size", "metadata_summary")) {
      assertTrue(cl.has(field), "missing " + field + " in " + cl);
    }
    assertEquals(1, cl.get("metadata_summary").get("files").asInt());

    JsonNode page = api.get("/clustering/clusters/" + c.id() + "/assignments?limit=2&offset=1").json();
    assertEquals(2, page.size());
    JsonNode first = page.get(0);
    for (String field : List.of("id", "cluster_id", "embedding_set_id", "embedding_row_index", "start_s", "end_s")) {
      assertTrue(first.has(field), "missing " + field + " in " + first);
    }
    assertEquals(1, first.get("embedding_row_index").asInt());
    assertEquals(1.0, first.get("start_s").asDouble());
    assertDetail(api.get("/clustering/clusters/" + c.id() + "/assignments?limit=0"), 422, "limit");
    assertEquals(404, api.get("/clustering/clusters/unknown/assignments").status());
    assertEquals(404, api.get("/clustering/jobs/unknown/clusters").status());
    assertEquals(404, api.get("/clustering/jobs/unknown").status());
  }
}
