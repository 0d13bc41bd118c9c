package org.humpback.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.humpback.pipelines.LocalParquetFiles;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The files a clustering job writes in {@code {storage}/clusters/{job_id}/}:
 * <ul>
 *   <li>{@code clusters.json}: job id, model, vector_dim, embedding set ids, parameters, {@code metrics} (those of
 *       the stored min_cluster_size, plus {@code sweep}: one entry per value) and {@code clusters}: one entry per
 *       label (noise = -1 included) with {@code id, cluster_label, size, metadata_summary};</li>
 *   <li>{@code assignments.parquet}: one row per window: {@code cluster_id} (string), {@code cluster_label} (int32),
 *       {@code embedding_set_id} (string), {@code embedding_row_index} (int32), {@code start_s, end_s, umap_x,
 *       umap_y} (double), ordered by embedding set then row.</li>
 * </ul>
 * Both are written to a temp name and renamed, so a reader never sees half a file.
 */
public final class ClusterOutputs {

  public static final String CLUSTERS_JSON = "clusters.json";
  public static final String ASSIGNMENTS_PARQUET = "assignments.parquet";

  public static final Schema ASSIGNMENT_SCHEMA = SchemaBuilder.record("ClusterAssignment").namespace("org.humpback")
      .fields()
      .requiredString("cluster_id")
      .requiredInt("cluster_label")
      .requiredString("embedding_set_id")
      .requiredInt("embedding_row_index")
      .requiredDouble("start_s")
      .requiredDouble("end_s")
      .requiredDouble("umap_x")
      .requiredDouble("umap_y")
      .endRecord();

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ClusterOutputs() {}

  /** One row of {@code assignments.parquet}. */
  public record AssignmentRow(String clusterId, int clusterLabel, String embeddingSetId, int embeddingRowIndex,
                              double startS, double endS, double umapX, double umapY) {}

  /** {@code clustersRoot/{jobId}}, refusing ids that would leave the root. */
  public static Path jobDir(Path clustersRoot, String jobId) {
    if (jobId == null || jobId.isBlank() || jobId.contains("/") || jobId.contains("\\") || jobId.startsWith(".")) {
      throw new IllegalArgumentException("Invalid job id: '" + jobId + "' (expected a name without path separators)");
    }
    return clustersRoot.resolve(jobId);
  }

  public static void writeJson(Path file, Object value) {
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      JSON.writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  public static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  static JsonNode readJsonText(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid JSON: " + e.getMessage(), e);
    }
  }

  public static void writeAssignments(Path file, List<AssignmentRow> rows) {
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(LocalParquetFiles.output(tmp))
          .withSchema(ASSIGNMENT_SCHEMA)
          .withDataModel(GenericData.get())
          .withCompressionCodec(CompressionCodecName.SNAPPY)
          .build()) {
        for (AssignmentRow r : rows) {
          GenericData.Record rec = new GenericData.Record(ASSIGNMENT_SCHEMA);
          rec.put("cluster_id", r.clusterId());
          rec.put("cluster_label", r.clusterLabel());
          rec.put("embedding_set_id", r.embeddingSetId());
          rec.put("embedding_row_index", r.embeddingRowIndex());
          rec.put("start_s", r.startS());
          rec.put("end_s", r.endS());
          rec.put("umap_x", r.umapX());
          rec.put("umap_y", r.umapY());
          w.write(rec);
        }
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  public static List<AssignmentRow> readAssignments(Path file) {
    List<AssignmentRow> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(LocalParquetFiles.input(file))
        .withDataModel(GenericData.get()).build()) {
      GenericRecord g;
      while ((g = r.read()) != null) {
        out.add(new AssignmentRow(g.get("cluster_id").toString(), (Integer) g.get("cluster_label"),
            g.get("embedding_set_id").toString(), (Integer) g.get("embedding_row_index"), (Double) g.get("start_s"),
            (Double) g.get("end_s"), (Double) g.get("umap_x"), (Double) g.get("umap_y")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return out;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a hidden temp file left behind is harmless; the next run of the job replaces the directory's files
    }
  }
}
