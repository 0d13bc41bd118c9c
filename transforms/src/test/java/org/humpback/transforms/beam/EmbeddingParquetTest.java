package org.humpback.transforms.beam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingParquetTest {

  private static EmbeddingParquet.Metadata metadata(int dim) {
    return new EmbeddingParquet.Metadata("yamnet", "yamnet-1", "f".repeat(64), FrontEndConfig.defaults().toCanonicalJson(),
        "e".repeat(64), dim, "test");
  }

  private static List<EmbeddingParquet.Row> rows(int n, int dim) {
    List<EmbeddingParquet.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = (float) Math.sin(i * 31 + j) * (j % 7 == 0 ? 1e-30f : 1f);
      }
      rows.add(new EmbeddingParquet.Row(i, i * 0.975, (i + 1) * 0.975, v));
    }
    return rows;
  }

  @Test
  void roundTripsRowsAndFooterMetadata(@TempDir Path dir) throws Exception {
    Path target = Path.of(EmbeddingParquet.path(dir.resolve("embeddings").toString(), "yamnet-1", "42", "f".repeat(64)));
    assertEquals(dir.resolve("embeddings/yamnet-1/42/" + "f".repeat(64) + ".parquet"), target);
    List<EmbeddingParquet.Row> rows = rows(300, 1024);
    assertEquals(300, EmbeddingParquet.write(target.toString(), metadata(1024), rows.iterator()));

    EmbeddingParquet.Contents c = EmbeddingParquet.read(target.toString());
    assertEquals(metadata(1024), c.metadata());
    assertEquals(300, c.rows().size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i, c.rows().get(i).rowIndex());
      assertEquals(rows.get(i).startS(), c.rows().get(i).startS());
      assertEquals(rows.get(i).endS(), c.rows().get(i).endS());
      assertArrayEquals(rows.get(i).embedding(), c.rows().get(i).embedding()); // bit-exact float32
    }
    assertEquals(300, c.matrix().length);
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of(target), s.toList(), "only the final file remains");
    }
  }

  @Test
  void writesAStandardThreeLevelListOfRequiredFloats(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("x.parquet");
    EmbeddingParquet.write(target.toString(), metadata(4), rows(3, 4).iterator());
    try (ParquetFileReader r = ParquetFileReader.open(
        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(target.toUri()),
            new org.apache.hadoop.conf.Configuration()))) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      String s = schema.toString();
      // What pyarrow maps to list<element: float not null>.
      assertTrue(s.contains("required group embedding (LIST)") && s.contains("repeated group list")
          && s.contains("required float element"), s);
      assertTrue(s.contains("required int32 row_index") && s.contains("required double start_s"), s);
      assertEquals("4", r.getFooter().getFileMetaData().getKeyValueMetaData().get("vector_dim"));
    }
  }

  @Test
  void aWriterFailingMidwayLeavesNoFinalAndNoTempFile(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("m/1/sig.parquet");
    Iterator<EmbeddingParquet.Row> failing = new Iterator<>() {
      final Iterator<EmbeddingParquet.Row> inner = rows(5000, 64).iterator();
      int n;

      @Override
      public boolean hasNext() {
        return inner.hasNext();
      }

      @Override
      public EmbeddingParquet.Row next() {
        if (++n == 4000) {
          throw new IllegalStateException("inference failed on window 3999");
        }
        return inner.next();
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EmbeddingParquet.write(target.toString(), metadata(64), failing));
    assertEquals("inference failed on window 3999", e.getMessage());
    assertFalse(Files.exists(target));
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(0, s.count(), "temp file removed");
    }
  }

  @Test
  void aFailedRewriteKeepsThePreviousCompleteFile(@TempDir Path dir) {
    Path target = dir.resolve("sig.parquet");
    EmbeddingParquet.write(target.toString(), metadata(8), rows(10, 8).iterator());
    List<EmbeddingParquet.Row> bad = new ArrayList<>(rows(10, 8));
    bad.set(5, new EmbeddingParquet.Row(5, 0, 1, new float[7]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingParquet.write(target.toString(), metadata(8), bad.iterator()));
    assertTrue(e.getMessage().contains("row_index 5") && e.getMessage().contains("vector_dim 8"), e.getMessage());
    assertEquals(10, EmbeddingParquet.read(target.toString()).rows().size());
  }

  @Test
  void refusesOutOfOrderRows(@TempDir Path dir) {
    Path target = dir.resolve("sig.parquet");
    List<EmbeddingParquet.Row> rows = new ArrayList<>(rows(3, 2));
    java.util.Collections.swap(rows, 1, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingParquet.write(target.toString(), metadata(2), rows.iterator()));
    assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void leftoverTempFilesFromACrashAreCleanedOnRetry(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("sig.parquet");
    Path crashed = dir.resolve(".sig.parquet.0b5c-crash.tmp");
    Files.write(crashed, new byte[] {'P', 'A', 'R', '1', 0, 1, 2});
    Path unrelated = dir.resolve("other.parquet");
    Files.write(unrelated, new byte[] {1});
    EmbeddingParquet.write(target.toString(), metadata(2), rows(2, 2).iterator());
    assertFalse(Files.exists(crashed));
    assertTrue(Files.exists(unrelated));
    assertEquals(2, EmbeddingParquet.read(target.toString()).rows().size());
  }

  @Test
  void validatesPathPartsAndMetadata(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> EmbeddingParquet.path(dir.toString(), "m", "../x", "s"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> metadata(0));
    assertTrue(e.getMessage().contains("vector_dim"), e.getMessage());
    assertThrows(java.io.UncheckedIOException.class, () -> EmbeddingParquet.readMetadata(dir.resolve("missing.parquet").toString()));
  }
}
