package org.humpback.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.humpback.pipelines.cli.EncodeCommand;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the consumer project ({@code examples/consumer/}, built and run by the invoker just
 * before this test, in the same {@code mvn verify}) writes the same Parquet as the product for the
 * same files. The product runs here as a user runs it, {@code humpback encode examples/audio}, with
 * the checkout as its home and a data folder under {@code target/} (failsafe sets
 * {@code HUMPBACK_HOME} and {@code HUMPBACK_STORAGE_ROOT}). Per file: the same Parquet schema, the
 * same footer keys (and the same model, front end and vector length in them), the same rows and
 * windows, and vectors within 1e-6.
 */
class ConsumerParquetEqualityIT {

  static final double TOLERANCE = 1e-6;

  @Test
  void theConsumersParquetEqualsTheProducts() throws Exception {
    Path root = Path.of(System.getProperty("humpback.root"));
    Path consumerOut = Path.of(System.getProperty("humpback.consumer.embeddings"));
    Path storage = Path.of(System.getenv("HUMPBACK_STORAGE_ROOT"));
    Path audio = root.resolve("examples/audio");
    assertTrue(Files.isDirectory(consumerOut), "the consumer wrote nothing to " + consumerOut + " (did the invoker run?)");
    EncodingBenchmark.deleteTree(storage); // a run of an earlier build would be skipped, not encoded

    assertEquals(0, EncodeCommand.run(new String[] {audio.toString()}), "humpback encode " + audio + " failed");

    Map<String, Path> productBySha = new TreeMap<>();
    for (Path p : parquetFiles(storage.resolve("embeddings"))) {
      productBySha.put(EmbeddingParquet.readMetadata(p.toString()).audioSha256(), p);
    }
    List<Path> consumerFiles = parquetFiles(consumerOut);
    List<Path> recordings;
    try (Stream<Path> s = Files.list(audio)) {
      recordings = s.filter(f -> f.toString().endsWith(".ogg")).sorted().toList();
    }
    assertFalse(recordings.isEmpty());
    assertEquals(recordings.size(), consumerFiles.size(), "consumer files: " + consumerFiles);
    for (Path recording : recordings) {
      String name = recording.getFileName().toString();
      Path product = productBySha.get(sha256(recording));
      assertNotNull(product, "the product wrote no file for " + name + ": " + productBySha);
      // The consumer names a file's folder after its source id: the file name and a hash of its URI.
      Path consumer = consumerFiles.stream().filter(p -> p.getParent().getFileName().toString().startsWith(name + "-"))
          .findFirst().orElseThrow(() -> new AssertionError("the consumer wrote no file for " + name + ": " + consumerFiles));
      assertSameFile(name, product, consumer);
    }
  }

  static void assertSameFile(String name, Path product, Path consumer) throws IOException {
    FileMetaData pm = footer(product);
    FileMetaData cm = footer(consumer);
    assertEquals(pm.getSchema(), cm.getSchema(), name + ": schema");
    assertEquals(pm.getKeyValueMetaData().keySet(), cm.getKeyValueMetaData().keySet(), name + ": footer keys");
    for (String key : List.of(EmbeddingParquet.KEY_MODEL, EmbeddingParquet.KEY_FRONT_END, EmbeddingParquet.KEY_VECTOR_DIM)) {
      assertEquals(pm.getKeyValueMetaData().get(key), cm.getKeyValueMetaData().get(key), name + ": footer " + key);
    }
    List<EmbeddingParquet.Row> p = EmbeddingParquet.read(product.toString()).rows();
    List<EmbeddingParquet.Row> c = EmbeddingParquet.read(consumer.toString()).rows();
    assertEquals(p.size(), c.size(), name + ": rows");
    assertTrue(p.size() > 0, name + ": no rows");
    double worst = 0;
    for (int i = 0; i < p.size(); i++) {
      EmbeddingParquet.Row a = p.get(i);
      EmbeddingParquet.Row b = c.get(i);
      assertEquals(a.rowIndex(), b.rowIndex(), name + ": row_index of row " + i);
      assertEquals(a.startS(), b.startS(), name + ": start_s of row " + i);
      assertEquals(a.endS(), b.endS(), name + ": end_s of row " + i);
      assertEquals(a.embedding().length, b.embedding().length, name + ": vector length of row " + i);
      for (int k = 0; k < a.embedding().length; k++) {
        worst = Math.max(worst, Math.abs(a.embedding()[k] - b.embedding()[k]));
      }
    }
    assertTrue(worst <= TOLERANCE, name + ": vectors differ by up to " + worst);
    System.out.printf("%s: %d rows, schema and footer keys equal, largest difference %.2g%n", name, p.size(), worst);
  }

  static FileMetaData footer(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return r.getFooter().getFileMetaData();
    }
  }

  static List<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  static String sha256(Path f) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }
}
