package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.humpback.transforms.audio.FrontEndConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shard parts: written where vectors are made, joined into the final file without decoding. */
class EmbeddingPartTest {

  private static float[] vector(long i, int dim) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) Math.cos(i * 17 + j);
    }
    return v;
  }

  private static List<EmbeddingPart> writeParts(Path target, String id, long from, long to, int dim, long... skip) {
    try (EmbeddingPart.Writer w = new EmbeddingPart.Writer(id, target)) {
      for (long i = from; i < to; i++) {
        final long k = i;
        if (java.util.Arrays.stream(skip).noneMatch(s -> s == k)) {
          w.write(i, i * 0.5, i * 0.5 + 1, vector(i, dim));
        }
      }
      return w.commit();
    }
  }

  @Test
  void partsJoinIntoOneFileWithEveryRowInOrderAndTheFooterOfTheRun(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("embeddings/m/file-1/" + "a".repeat(64) + ".parquet");
    List<EmbeddingPart> parts = new ArrayList<>();
    // Shards finish in any order; the join takes them sorted by first index.
    parts.addAll(writeParts(target, "file-1", 300, 450, 16));
    parts.addAll(writeParts(target, "file-1", 0, 300, 16));
    assertEquals(2, parts.size());
    assertEquals(new EmbeddingPart("file-1", 300, 449, 16, EmbeddingPart.dir(target).resolve("000000000300.parquet").toString()),
        parts.get(0));
    List<EmbeddingPart> sorted = parts.stream().sorted(java.util.Comparator.comparingLong(EmbeddingPart::firstIndex)).toList();
    assertNull(EmbeddingPart.gap("file-1", sorted));

    EmbeddingParquet.Metadata md = new EmbeddingParquet.Metadata("yamnet", "m", "a".repeat(64),
        FrontEndConfig.defaults().toCanonicalJson(), "b".repeat(64), 16, "test");
    assertEquals(450, EmbeddingParquet.concat(target, md, sorted.stream().map(p -> Path.of(p.path())).toList()));

    EmbeddingParquet.Contents c = EmbeddingParquet.read(target);
    assertEquals(md, c.metadata(), "the final footer is the run's, not a part's");
    assertEquals(450, c.rows().size());
    for (int i = 0; i < 450; i++) {
      assertEquals(i, c.rows().get(i).rowIndex());
      assertEquals(i * 0.5, c.rows().get(i).startS());
      assertArrayEquals(vector(i, 16), c.rows().get(i).embedding());
    }
    try (ParquetFileReader r = ParquetFileReader.open(LocalParquetFiles.input(target))) {
      assertEquals(2, r.getFooter().getBlocks().size(), "row groups copied as they are, one per part");
      assertTrue(r.getFooter().getFileMetaData().getKeyValueMetaData().containsKey("parquet.avro.schema"));
    }
    EmbeddingPart.clean(target);
    assertFalse(Files.exists(EmbeddingPart.dir(target)));
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of(target), s.toList(), "only the final file remains");
    }
  }

  @Test
  void aMissingWindowSplitsThePartAndTheGapIsNamed(@TempDir Path dir) {
    Path target = dir.resolve("sig.parquet");
    List<EmbeddingPart> parts = writeParts(target, "f", 0, 10, 4, 3);
    assertEquals(2, parts.size());
    assertEquals(0, parts.get(0).firstIndex());
    assertEquals(2, parts.get(0).lastIndex());
    assertEquals(4, parts.get(1).firstIndex());
    assertEquals(6, parts.get(1).rows());
    String gap = EmbeddingPart.gap("f", parts);
    assertTrue(gap != null && gap.contains("missing window 3"), gap);
    assertTrue(EmbeddingPart.gap("f", parts.subList(1, 2)).contains("missing window 0"));
  }

  @Test
  void aShardThatFailsMidwayLeavesNoPartFile(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("sig.parquet");
    try (EmbeddingPart.Writer w = new EmbeddingPart.Writer("f", target)) {
      w.write(0, 0, 1, vector(0, 8));
      w.write(1, 1, 2, vector(1, 8));
      // the decoder fails here: the writer is closed without a commit
    }
    try (Stream<Path> s = Files.list(EmbeddingPart.dir(target))) {
      assertEquals(0, s.count(), "no part and no temp file");
    }
    assertTrue(writeParts(target, "f", 0, 0, 8).isEmpty(), "a shard without windows has no part");
  }

  @Test
  void partsCrossTheRunnerWithTheirCoder() throws Exception {
    EmbeddingPart p = new EmbeddingPart("file-ü", 1_000_000_000L, 1_000_000_307L, 1280, "/data/x/.s.parquet.parts/1.parquet");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmbeddingPart.Coder.of().encode(p, out);
    assertEquals(p, EmbeddingPart.Coder.of().decode(new ByteArrayInputStream(out.toByteArray())));
  }
}
