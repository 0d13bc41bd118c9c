package org.humpback.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.humpback.transforms.beam.ParquetChannels;

/**
 * The files a clustering job writes in {@code {storage}/clusters/{job_id}/}, all through Beam's {@link FileSystems}:
 * <ul>
 *   <li>{@code clusters.json}: job id, model, vector_dim, embedding set ids, parameters, {@code metrics} (those of
 *       the stored min_cluster_size, plus {@code sweep}: one entry per value) and {@code clusters}: one entry per
 *       label (noise = -1 included) with {@code id, cluster_label, size, metadata_summary}. Written last: it marks
 *       the job's files complete;</li>
 *   <li>{@code assignments/part-*.parquet}: one row per window, in one or more files (a job that fits on a sample
 *       writes one per worker bundle): {@code cluster_id} (string), {@code cluster_label} (int32),
 *       {@code embedding_set_id} (string), {@code embedding_row_index} (int32), {@code start_s, end_s, umap_x,
 *       umap_y, probability} (double; probability is HDBSCAN's membership strength, 0 for noise);</li>
 *   <li>{@code model/} (jobs with {@code sample_size}): the fitted clustering the windows were assigned with.</li>
 * </ul>
 * Each file is written to a temp name and renamed, so a reader never sees half a file.
 */
public final class ClusterOutputs {

  public static final String CLUSTERS_JSON = "clusters.json";
  public static final String ASSIGNMENTS_DIR = "assignments";
  public static final String MODEL_DIR = "model";

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
      .requiredDouble("probability")
      .endRecord();

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ClusterOutputs() {}

  /** One row of the assignments. */
  public record AssignmentRow(String clusterId, int clusterLabel, String embeddingSetId, int embeddingRowIndex,
                              double startS, double endS, double umapX, double umapY, double probability)
      implements Serializable {}

  /** {@code clustersRoot/{jobId}}, refusing ids that would leave the root. */
  public static Path jobDir(Path clustersRoot, String jobId) {
    if (jobId == null || jobId.isBlank() || jobId.contains("/") || jobId.contains("\\") || jobId.startsWith(".")) {
      throw new IllegalArgumentException("Invalid job id: '" + jobId + "' (expected a name without path separators)");
    }
    return clustersRoot.resolve(jobId);
  }

  /** {@code name} inside the folder {@code dir} (any Beam file system). */
  static String resolve(String dir, String name, boolean directory) {
    return FileSystems.matchNewResource(dir, true)
        .resolve(name, directory ? StandardResolveOptions.RESOLVE_DIRECTORY : StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  /** The folder of a job's assignment files. */
  public static String assignmentsDir(String jobDir) {
    return resolve(jobDir, ASSIGNMENTS_DIR, true);
  }

  public static void writeJson(Path file, Object value) {
    writeJson(file.toString(), value);
  }

  /** Writes {@code value} as JSON to {@code spec} (temp name, then rename). */
  public static void writeJson(String spec, Object value) {
    writeAtomically(spec, ch -> {
      try (OutputStream out = Channels.newOutputStream(ch)) {
        JSON.writeValue(out, value);
      }
    });
  }

  public static JsonNode readJson(Path file) {
    return readJson(file.toString());
  }

  public static JsonNode readJson(String spec) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(spec, false)))) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + spec, e);
    }
  }

  /** Whether {@code spec} names an existing file. */
  public static boolean exists(String spec) {
    try {
      MatchResult m = FileSystems.match(spec, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  static JsonNode readJsonText(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid JSON: " + e.getMessage(), e);
    }
  }

  /** Writes all rows of a job fitted on every window as its one assignments file. */
  public static void writeAssignments(String jobDir, List<AssignmentRow> rows) {
    String file = resolve(assignmentsDir(jobDir), "part-00000-of-00001.parquet", false);
    writeAtomically(file, ch -> {
      try (ParquetWriter<GenericRecord> w = writer(ParquetChannels.output(ch))) {
        for (AssignmentRow r : rows) {
          w.write(record(r));
        }
      }
    });
  }

  /** Every assignment row of a job, file by file in name order. */
  public static List<AssignmentRow> readAssignments(String jobDir) {
    List<AssignmentRow> out = new ArrayList<>();
    forEachAssignment(jobDir, out::add);
    return out;
  }

  /** Streams every assignment row of a job, file by file in name order. */
  public static void forEachAssignment(String jobDir, Consumer<AssignmentRow> action) {
    List<ResourceId> files;
    try {
      MatchResult m = FileSystems.match(resolve(assignmentsDir(jobDir), "*.parquet", false),
          EmptyMatchTreatment.ALLOW);
      files = m.status() == MatchResult.Status.OK
          ? m.metadata().stream().map(MatchResult.Metadata::resourceId)
              .sorted(Comparator.comparing(ResourceId::toString)).toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the assignments of " + jobDir, e);
    }
    for (ResourceId f : files) {
      try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(ParquetChannels.input(f))
          .withDataModel(GenericData.get()).withConf(new Configuration(false)).build()) {
        GenericRecord g;
        while ((g = r.read()) != null) {
          action.accept(new AssignmentRow(g.get("cluster_id").toString(), (Integer) g.get("cluster_label"),
              g.get("embedding_set_id").toString(), (Integer) g.get("embedding_row_index"), (Double) g.get("start_s"),
              (Double) g.get("end_s"), (Double) g.get("umap_x"), (Double) g.get("umap_y"),
              (Double) g.get("probability")));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + f, e);
      }
    }
  }

  /** Assignment rows to Parquet in a Beam {@code FileIO.write()}: many files, written by the workers in parallel. */
  public static FileIO.Sink<AssignmentRow> sink() {
    return new AssignmentSink();
  }

  private static final class AssignmentSink implements FileIO.Sink<AssignmentRow> {
    private transient ParquetWriter<GenericRecord> writer;

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      writer = writer(ParquetChannels.output(channel));
    }

    @Override
    public void write(AssignmentRow element) throws IOException {
      writer.write(record(element));
    }

    @Override
    public void flush() throws IOException {
      // Closing the writer writes the footer; FileIO closes the channel after flush, and Parquet closes it too.
      writer.close();
    }
  }

  private static ParquetWriter<GenericRecord> writer(OutputFile file) throws IOException {
    return AvroParquetWriter.<GenericRecord>builder(file)
        .withSchema(ASSIGNMENT_SCHEMA)
        .withDataModel(GenericData.get())
        .withConf(new Configuration(false))
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .build();
  }

  private static GenericRecord record(AssignmentRow r) {
    GenericData.Record rec = new GenericData.Record(ASSIGNMENT_SCHEMA);
    rec.put("cluster_id", r.clusterId());
    rec.put("cluster_label", r.clusterLabel());
    rec.put("embedding_set_id", r.embeddingSetId());
    rec.put("embedding_row_index", r.embeddingRowIndex());
    rec.put("start_s", r.startS());
    rec.put("end_s", r.endS());
    rec.put("umap_x", r.umapX());
    rec.put("umap_y", r.umapY());
    rec.put("probability", r.probability());
    return rec;
  }

  /** What to write into an open channel. */
  interface ChannelWriter {
    void write(WritableByteChannel channel) throws IOException;
  }

  /** Writes {@code spec} under a hidden temp name in its folder, then renames it into place. */
  static void writeAtomically(String spec, ChannelWriter body) {
    ResourceId target = FileSystems.matchNewResource(spec, false);
    ResourceId tmp = target.getCurrentDirectory().resolve("." + target.getFilename() + "." + UUID.randomUUID() + ".tmp",
        StandardResolveOptions.RESOLVE_FILE);
    try {
      // Closing a channel twice (Parquet's writer closes it too) is a no-op.
      try (WritableByteChannel ch = FileSystems.create(tmp, MimeTypes.BINARY)) {
        body.write(ch);
      }
      FileSystems.rename(List.of(tmp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("Cannot write " + spec, e);
    }
  }

  /** Deletes a job's files (an earlier attempt's), so a missing clusters.json means "this run wrote nothing". */
  public static void clear(String jobDir) {
    // Sub-folders' files first: a folder is deleted only once empty.
    for (String pattern : List.of(resolve(assignmentsDir(jobDir), "*", false),
        resolve(resolve(jobDir, MODEL_DIR, true), "*", false), resolve(jobDir, "*", false))) {
      try {
        MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
        if (m.status() == MatchResult.Status.OK) {
          FileSystems.delete(m.metadata().stream().map(MatchResult.Metadata::resourceId).toList(),
              MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot clear " + jobDir, e);
      }
    }
  }

  private static void deleteQuietly(ResourceId p) {
    try {
      FileSystems.delete(List.of(p), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException ignored) {
      // a hidden temp file left behind is harmless; the next run of the job clears the folder
    }
  }
}
