package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.pipelines.cluster.ClusteringJobs;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real embeddings: labelled NOAA PIFSC clips (mn = humpback, not_mn = other) encoded with YAMNet through the encoding
 * jobs, the folder name put into tag_data {"label": ...}, then clustered; the job must report ARI/NMI against
 * tag_data.label. No threshold on real data yet: the values are printed and checked to be computed.
 */
class RealEmbeddingsClusteringTest {

  /** Clips per label: enough windows for a few clusters, few enough encoding jobs to keep the test short. */
  private static final int CLIPS_PER_LABEL = 6;

  @Test
  void yamnetEmbeddingsOfLabelledClipsGetLabelMetrics(@TempDir Path home) throws IOException {
    Path corpus = SharedCorpus.audio("labelled-pifsc");
    List<Path> clips = new ArrayList<>();
    for (String label : List.of("mn", "not_mn")) {
      try (Stream<Path> s = Files.list(corpus.resolve(label))) {
        clips.addAll(s.filter(p -> p.toString().endsWith(".wav")).sorted().limit(CLIPS_PER_LABEL).toList());
      }
    }
    try (EncodedCorpus encoded = EncodedCorpus.encode(home, clips)) {
      // Folder label → tag_data of each clip's audio file.
      for (EncodedCorpus.Encoded e : encoded.files) {
        String label = Path.of(e.line().file()).getParent().getFileName().toString();
        encoded.ctx.db().dao(AudioMetadataDao.class).upsert(new AudioMetadata(null, e.set().audioFileId(),
            "{\"label\": \"" + label + "\"}", null, null, null));
      }
      long windows = encoded.windows();

      ClusteringJob job = ClusteringJobs.submit(encoded.ctx.db(), encoded.setIds(),
          "{\"min_cluster_size\": [5, 10], \"label_field\": \"tag_data.label\"}");
      ClusteringJobRunner.Report r = encoded.clusteringRunner("real-test").runNext().orElseThrow();
      assertEquals(job.id(), r.jobId());
      assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());

      JsonNode m = r.metrics();
      System.out.println("YAMNet on " + clips.size() + " labelled PIFSC clips (" + windows + " windows):");
      System.out.print(ClusterCommand.summary(m, r.clusters()));
      assertEquals(windows, m.get("n_windows").asLong());
      assertEquals("tag_data.label", m.get("label_field").asText());
      assertEquals(windows, m.get("n_labelled").asLong());
      assertEquals(2, m.get("n_label_values").asInt());
      for (String k : List.of("ari", "nmi", "homogeneity", "completeness")) {
        assertTrue(m.get(k).isNumber(), k + " computed: " + m);
        for (JsonNode s : m.get("sweep")) {
          assertTrue(s.get(k).isNumber(), k + " computed for min_cluster_size " + s.get("min_cluster_size"));
        }
      }
      assertTrue(m.get("nmi").asDouble() >= 0 && m.get("nmi").asDouble() <= 1);
      // Every cluster's summary counts the labels of its windows.
      long labelled = 0;
      for (var c : r.clusters()) {
        JsonNode s = org.humpback.registry.db.Json.read(c.metadataSummary());
        for (JsonNode count : s.path("tag_data.label")) {
          labelled += count.asLong();
        }
      }
      assertEquals(windows, labelled);
    }
  }
}
