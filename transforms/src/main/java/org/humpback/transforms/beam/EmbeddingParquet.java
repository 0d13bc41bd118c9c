package org.humpback.transforms.beam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * The embedding output format: one Parquet file per (audio file, encoding signature), rows in time
 * order, with the provenance in the file footer.
 *
 * <p>Columns (written through parquet-avro from the Avro record {@link #SCHEMA}):
 * <pre>
 *   row_index  int32     0-based window index in the file
 *   start_s    double    window start, seconds
 *   end_s      double    window end, seconds (where audio ends, for a padded last window)
 *   embedding  list&lt;float32&gt;, every row exactly vector_dim long
 * </pre>
 * Parquet has no fixed-size list type (Arrow keeps {@code fixed_size_list} only in its own
 * {@code ARROW:schema} footer blob), so the vector is a standard 3-level LIST of non-null floats;
 * pyarrow reads it as {@code list<element: float not null>} ({@code pa.Table.column("embedding")
 * .combine_chunks().flatten().to_numpy().reshape(-1, vector_dim)} gives the matrix) and the length
 * is stated in the {@code vector_dim} footer key and checked on write.
 *
 * <p>Footer key/value metadata: {@code model, model_version, encoding_signature, front_end_config
 * (canonical JSON), audio_sha256, vector_dim, humpback_version}.
 *
 * <p>Files are named by Beam resource specs (a local path, {@code hdfs://…}, {@code gs://…}) and
 * read and written through Beam's {@link FileSystems}. Atomicity: {@link #write} and {@link #concat}
 * write {@code .<name>.<uuid>.tmp} in the target folder and rename it onto the final name (an atomic
 * move on local disks and HDFS); a crash leaves at most a hidden temp file, never a partial final
 * file, and the next write of the same name deletes such leftovers first.
 */
public final class EmbeddingParquet {

  public static final String KEY_MODEL = "model";
  public static final String KEY_MODEL_VERSION = "model_version";
  public static final String KEY_SIGNATURE = "encoding_signature";
  public static final String KEY_FRONT_END = "front_end_config";
  public static final String KEY_AUDIO_SHA256 = "audio_sha256";
  public static final String KEY_VECTOR_DIM = "vector_dim";
  public static final String KEY_HUMPBACK_VERSION = "humpback_version";

  /** The row record. The vector is an Avro array, see the class comment for how it appears in Arrow. */
  public static final Schema SCHEMA = SchemaBuilder.record("EmbeddingRow").namespace("org.humpback")
      .fields()
      .requiredInt("row_index")
      .requiredDouble("start_s")
      .requiredDouble("end_s")
      .name("embedding").type().array().items().floatType().noDefault()
      .endRecord();

  private static final String TMP_SUFFIX = ".tmp";

  private EmbeddingParquet() {}

  /** Provenance kept in each file's footer. */
  public record Metadata(String model, String modelVersion, String encodingSignature, String frontEndConfigJson,
      String audioSha256, int vectorDim, String humpbackVersion) implements java.io.Serializable {

    public Metadata {
      requireText("model", model);
      requireText("model_version", modelVersion);
      requireText("encoding_signature", encodingSignature);
      requireText("front_end_config", frontEndConfigJson);
      requireText("audio_sha256", audioSha256);
      requireText("humpback_version", humpbackVersion);
      if (vectorDim < 1) {
        throw new IllegalArgumentException("Invalid vector_dim: " + vectorDim + " (expected >= 1)");
      }
    }

    public Metadata withVectorDim(int v) {
      return new Metadata(model, modelVersion, encodingSignature, frontEndConfigJson, audioSha256, v, humpbackVersion);
    }

    public Map<String, String> toMap() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put(KEY_MODEL, model);
      m.put(KEY_MODEL_VERSION, modelVersion);
      m.put(KEY_SIGNATURE, encodingSignature);
      m.put(KEY_FRONT_END, frontEndConfigJson);
      m.put(KEY_AUDIO_SHA256, audioSha256);
      m.put(KEY_VECTOR_DIM, Integer.toString(vectorDim));
      m.put(KEY_HUMPBACK_VERSION, humpbackVersion);
      return m;
    }

    static Metadata fromMap(String file, Map<String, String> m) {
      String dim = m.get(KEY_VECTOR_DIM);
      if (dim == null) {
        throw new IllegalArgumentException(file + " is not a humpback embedding file (no " + KEY_VECTOR_DIM + " in its footer)");
      }
      return new Metadata(m.get(KEY_MODEL), m.get(KEY_MODEL_VERSION), m.get(KEY_SIGNATURE), m.get(KEY_FRONT_END),
          m.get(KEY_AUDIO_SHA256), Integer.parseInt(dim), m.get(KEY_HUMPBACK_VERSION));
    }

    private static void requireText(String name, String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException("Invalid " + name + ": '" + v + "' (expected a non-empty value)");
      }
    }
  }

  /** One window's row. */
  public record Row(int rowIndex, double startS, double endS, float[] embedding) {}

  /** A whole file, as {@link #read} returns it. */
  public record Contents(Metadata metadata, List<Row> rows) {

    /** The vectors as a [rows][vector_dim] matrix. */
    public float[][] matrix() {
      float[][] m = new float[rows.size()][];
      for (int i = 0; i < m.length; i++) {
        m[i] = rows.get(i).embedding();
      }
      return m;
    }
  }

  /** {@code {model_version}/{audio_file_id}/{signature}.parquet}: where a file goes under an output root. */
  public static String relativePath(String modelVersion, String audioFileId, String signature) {
    for (String[] p : new String[][] {{"model_version", modelVersion}, {"audio_file_id", audioFileId}, {"encoding_signature", signature}}) {
      if (p[1] == null || p[1].isBlank() || p[1].contains("/") || p[1].contains("\\") || p[1].equals("..") || p[1].equals(".")) {
        throw new IllegalArgumentException("Invalid " + p[0] + ": '" + p[1] + "' (expected a non-empty name without path separators)");
      }
    }
    return modelVersion + "/" + audioFileId + "/" + signature + ".parquet";
  }

  /** {@code root/{model_version}/{audio_file_id}/{signature}.parquet} as a Beam resource spec. */
  public static String path(String root, String modelVersion, String audioFileId, String signature) {
    return resolve(root, relativePath(modelVersion, audioFileId, signature));
  }

  /** {@code relative} (folders separated by '/') under the folder {@code root}, as a Beam resource spec. */
  static String resolve(String root, String relative) {
    ResourceId r = FileSystems.matchNewResource(root, true);
    String[] parts = relative.split("/");
    for (int i = 0; i < parts.length; i++) {
      r = r.resolve(parts[i], i == parts.length - 1 ? StandardResolveOptions.RESOLVE_FILE : StandardResolveOptions.RESOLVE_DIRECTORY);
    }
    return r.toString();
  }

  static ResourceId file(String spec) {
    return FileSystems.matchNewResource(spec, false);
  }

  /**
   * Writes {@code rows} (strictly increasing row_index, each vector {@code metadata.vectorDim()} long)
   * to {@code target}, atomically. Rows are streamed: memory is one Parquet row group, not the file.
   *
   * @return the number of rows written
   * @throws IllegalArgumentException on out-of-order rows or a wrong vector length (no file is left)
   * @throws UncheckedIOException on an I/O failure (no file is left)
   */
  public static long write(String target, Metadata metadata, Iterator<Row> rows) {
    try (Writer w = Writer.open(target, metadata.toMap(), metadata.vectorDim())) {
      while (rows.hasNext()) {
        w.write(rows.next());
      }
      return w.commit();
    }
  }

  /**
   * A file being written row by row: it appears at its target, atomically, on {@link #commit};
   * {@link #close} without a commit (or any failure) deletes the hidden temp file and leaves
   * nothing behind. Rows must come in strictly increasing row_index, each {@code vectorDim} long.
   */
  public static final class Writer implements AutoCloseable {
    private final String target;
    private final ResourceId tmp;
    private final int vectorDim;
    private final ParquetWriter<Row> out;
    private long rows;
    private long previous = -1;
    private boolean closed;

    private Writer(String target, ResourceId tmp, int vectorDim, ParquetWriter<Row> out) {
      this.target = target;
      this.tmp = tmp;
      this.vectorDim = vectorDim;
      this.out = out;
    }

    /** Starts {@code target}'s hidden temp file, with {@code footer} as its key/value metadata. */
    public static Writer open(String target, Map<String, String> footer, int vectorDim) {
      if (vectorDim < 1) {
        throw new IllegalArgumentException("Invalid vector_dim: " + vectorDim + " (expected >= 1)");
      }
      ResourceId tmp = tempFor(target);
      try {
        return new Writer(target, tmp, vectorDim, new RowWriterBuilder(ParquetChannels.output(tmp), footer).build());
      } catch (IOException e) {
        deleteQuietly(tmp);
        throw new UncheckedIOException("Cannot start writing embeddings to " + target, e);
      }
    }

    /** Appends one row; a bad row throws IllegalArgumentException and the file will not be written. */
    public void write(Row r) {
      if (closed) {
        throw new IllegalStateException("Writer for " + target + " is closed");
      }
      if (r.rowIndex() <= previous) {
        fail(new IllegalArgumentException("Rows out of order for " + target + ": row_index " + r.rowIndex()
            + " after " + previous));
      }
      if (r.embedding() == null || r.embedding().length != vectorDim) {
        fail(new IllegalArgumentException("Invalid embedding length at row_index " + r.rowIndex() + " of " + target
            + ": " + (r.embedding() == null ? "null" : r.embedding().length) + " (expected vector_dim " + vectorDim + ")"));
      }
      try {
        out.write(r);
      } catch (IOException e) {
        fail(new UncheckedIOException("Cannot write embeddings to " + target + " (after " + rows + " rows)", e));
      }
      previous = r.rowIndex();
      rows++;
    }

    /** Rows written so far. */
    public long rows() {
      return rows;
    }

    /** Closes the file and moves it onto its target name; returns the number of rows. */
    public long commit() {
      if (closed) {
        throw new IllegalStateException("Writer for " + target + " is closed");
      }
      closed = true;
      try {
        out.close();
        FileSystems.rename(List.of(tmp), List.of(file(target)));
        return rows;
      } catch (IOException e) {
        deleteQuietly(tmp);
        throw new UncheckedIOException("Cannot write embeddings to " + target + " (after " + rows + " rows)", e);
      }
    }

    /** Abandons the file unless it was committed. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        try {
          out.close();
        } catch (IOException | RuntimeException ignored) {
          // The temp file is deleted either way.
        }
        deleteQuietly(tmp);
      }
    }

    private void fail(RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Joins {@code parts} (embedding files of one vector_dim, whose rows follow one another in this
   * order) into {@code target} with {@code metadata} as its footer, atomically. Row groups are copied
   * as they are, without decoding a value, so the cost is that of copying the bytes.
   *
   * @return the number of rows in the joined file
   */
  public static long concat(String target, Metadata metadata, List<String> parts) {
    ResourceId tmp = tempFor(target);
    try {
      ParquetFileWriter w = new ParquetFileWriter(ParquetChannels.output(tmp), PARQUET_SCHEMA,
          ParquetFileWriter.Mode.CREATE, ROW_GROUP_BYTES, 0);
      w.start();
      for (String part : parts) {
        w.appendFile(ParquetChannels.input(file(part)));
      }
      Map<String, String> footer = new LinkedHashMap<>(WRITER_FOOTER);
      footer.putAll(metadata.toMap());
      w.end(footer);
      long n = w.getFooter().getBlocks().stream().mapToLong(b -> b.getRowCount()).sum();
      FileSystems.rename(List.of(tmp), List.of(file(target)));
      return n;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("Cannot join " + parts.size() + " parts into " + target,
          e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }

  /**
   * A fresh hidden temp name next to {@code target}, whose earlier write's leftover temps are
   * cleared first: where {@link Writer} and {@link #concat} write before the rename.
   */
  private static ResourceId tempFor(String target) {
    cleanTemps(target);
    ResourceId t = file(target);
    return t.getCurrentDirectory().resolve("." + t.getFilename() + "." + UUID.randomUUID() + TMP_SUFFIX,
        StandardResolveOptions.RESOLVE_FILE);
  }

  /** Deletes leftover temp files of {@code target} (from a crashed or cancelled write). Returns how many. */
  public static int cleanTemps(String target) {
    ResourceId t = file(target);
    return deleteMatching(t.getCurrentDirectory().resolve("." + t.getFilename() + ".*" + TMP_SUFFIX,
        StandardResolveOptions.RESOLVE_FILE).toString());
  }

  /** Deletes the files matching the glob {@code spec}; returns how many there were. */
  static int deleteMatching(String spec) {
    try {
      MatchResult m = FileSystems.match(spec, org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW);
      if (m.status() != MatchResult.Status.OK) {
        return 0;
      }
      List<ResourceId> ids = m.metadata().stream().map(MatchResult.Metadata::resourceId).toList();
      FileSystems.delete(ids, org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      return ids.size();
    } catch (java.io.FileNotFoundException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + spec, e);
    }
  }

  /** Deletes one file if it exists. */
  public static void delete(String spec) {
    try {
      FileSystems.delete(List.of(file(spec)), org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + spec, e);
    }
  }

  /** Whether {@code spec} names an existing file. */
  public static boolean exists(String spec) {
    try {
      return FileSystems.match(spec, org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW).status() == MatchResult.Status.OK
          && !FileSystems.match(spec).metadata().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a whole embedding file: footer metadata and rows in file order. */
  public static Contents read(String file) {
    Metadata md = readMetadata(file);
    List<Row> rows = new ArrayList<>();
    forEachRow(file, rows::add);
    return new Contents(md, rows);
  }

  /** Streams a file's rows in file order: memory is one row group, whatever the file's length. */
  public static void forEachRow(String file, java.util.function.Consumer<Row> action) {
    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(ParquetChannels.input(file(file)))
        .withDataModel(GenericData.get()).build()) {
      GenericRecord rec;
      while ((rec = r.read()) != null) {
        @SuppressWarnings("unchecked")
        List<Float> list = (List<Float>) rec.get("embedding");
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = list.get(i);
        }
        action.accept(new Row((Integer) rec.get("row_index"), (Double) rec.get("start_s"), (Double) rec.get("end_s"), v));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read embeddings from " + file, e);
    }
  }

  /**
   * Why {@code file} cannot serve as the output of an encoding with {@code expectedSignature}: missing, not a readable
   * Parquet file (truncated, overwritten), or made by another encoding. Empty when it opens with the expected footer.
   * The worker's skip check and the API's view of a set both ask this, so a file that fails it is re-encoded, never
   * reused.
   */
  public static Optional<String> problem(String file, String expectedSignature) {
    try {
      // A missing file is a NOT_FOUND status, not an exception; metadata() would throw FileNotFoundException.
      MatchResult match = FileSystems.match(file);
      if (match.status() == MatchResult.Status.NOT_FOUND || match.metadata().isEmpty()) {
        return Optional.of("the Parquet file is missing");
      }
    } catch (IOException e) {
      return Optional.of("the Parquet file cannot be listed (" + e.getClass().getSimpleName() + ")");
    }
    Metadata md;
    try {
      md = readMetadata(file);
    } catch (RuntimeException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      // the class only: its message names the server's path
      return Optional.of("the Parquet file is unreadable (" + c.getClass().getSimpleName() + ")");
    }
    if (expectedSignature != null && !expectedSignature.equals(md.encodingSignature())) {
      return Optional.of("the Parquet file belongs to another encoding (signature " + md.encodingSignature() + ")");
    }
    return Optional.empty();
  }

  /** Reads only the footer metadata. */
  public static Metadata readMetadata(String file) {
    try (ParquetFileReader r = ParquetFileReader.open(ParquetChannels.input(file(file)))) {
      return Metadata.fromMap(file, r.getFooter().getFileMetaData().getKeyValueMetaData());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Parquet footer of " + file, e);
    }
  }

  private static void deleteQuietly(ResourceId p) {
    try {
      FileSystems.delete(List.of(p), org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException ignored) {
      // The next write of the same target removes it (cleanTemps).
    }
  }

  /**
   * Row groups of at most this many bytes: a writer holds one row group in memory, so this bounds a
   * write's memory whatever the file length (16 MB is about 4 000 rows of 1024 floats).
   */
  static final long ROW_GROUP_BYTES = 16L << 20;

  /** The Parquet schema parquet-avro derives from {@link #SCHEMA} (3-level list, as pyarrow writes). */
  static final MessageType PARQUET_SCHEMA;

  /** What parquet-avro puts in a footer, so readers that look for the Avro schema find it. */
  private static final Map<String, String> WRITER_FOOTER;

  static {
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    PARQUET_SCHEMA = new AvroSchemaConverter(conf).convert(SCHEMA);
    WRITER_FOOTER = Map.of("parquet.avro.schema", SCHEMA.toString(), "writer.model.name", "avro");
  }

  /**
   * Rows straight to Parquet's record consumer: the same columns parquet-avro writes from
   * {@link #SCHEMA}, without boxing every float into an Avro array first.
   */
  private static final class RowWriteSupport extends WriteSupport<Row> {
    private final Map<String, String> footer;
    private RecordConsumer rc;

    RowWriteSupport(Map<String, String> footer) {
      this.footer = footer;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      Map<String, String> md = new LinkedHashMap<>(WRITER_FOOTER);
      md.putAll(footer);
      return new WriteContext(PARQUET_SCHEMA, md);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.rc = recordConsumer;
    }

    @Override
    public void write(Row r) {
      rc.startMessage();
      rc.startField("row_index", 0);
      rc.addInteger(r.rowIndex());
      rc.endField("row_index", 0);
      rc.startField("start_s", 1);
      rc.addDouble(r.startS());
      rc.endField("start_s", 1);
      rc.startField("end_s", 2);
      rc.addDouble(r.endS());
      rc.endField("end_s", 2);
      rc.startField("embedding", 3);
      rc.startGroup();
      float[] v = r.embedding();
      if (v.length > 0) {
        rc.startField("list", 0);
        for (float f : v) {
          rc.startGroup();
          rc.startField("element", 0);
          rc.addFloat(f);
          rc.endField("element", 0);
          rc.endGroup();
        }
        rc.endField("list", 0);
      }
      rc.endGroup();
      rc.endField("embedding", 3);
      rc.endMessage();
    }
  }

  /**
   * Snappy, bounded row groups, and no dictionary: vectors, times and indices almost never repeat, so
   * a dictionary would only be built to be thrown away.
   */
  private static final class RowWriterBuilder extends ParquetWriter.Builder<Row, RowWriterBuilder> {
    private final Map<String, String> footer;

    RowWriterBuilder(OutputFile file, Map<String, String> footer) {
      super(file);
      this.footer = footer;
      // Parquet's default is a Hadoop Configuration with its default resources, which parses
      // core-default.xml for every writer (one per shard): nothing here reads those settings.
      withConf(new Configuration(false));
      withCompressionCodec(CompressionCodecName.SNAPPY);
      withRowGroupSize(ROW_GROUP_BYTES);
      withDictionaryEncoding(false);
    }

    @Override
    protected RowWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(footer);
    }
  }
}
