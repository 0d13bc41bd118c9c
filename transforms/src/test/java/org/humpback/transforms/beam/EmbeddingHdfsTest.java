package org.humpback.transforms.beam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audio read from and embeddings written to HDFS (Hadoop's in-process mini cluster, through Beam's
 * hadoop-file-system module): the same rows as a local run, read back through the same IO.
 */
class EmbeddingHdfsTest implements Serializable {

  @TempDir static Path dir;
  private static MiniDFSCluster cluster;
  private static String hdfs;
  private static HadoopFileSystemOptions options;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = "hdfs://localhost:" + cluster.getNameNodePort();
    options = PipelineOptionsFactory.as(HadoopFileSystemOptions.class);
    options.setHdfsConfiguration(List.of(cluster.getConfiguration(0)));
    FileSystems.setDefaultPipelineOptions(options); // for reading the results back here
    FileSystem fs = cluster.getFileSystem();
    for (Path f : Yamnet.audio()) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toString()),
          new org.apache.hadoop.fs.Path("/audio/" + f.getFileName()));
    }
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
  }

  @Test
  void encodesFromAndWritesToHdfsWithTheRowsOfALocalRun() throws Exception {
    EncoderSpec spec = Yamnet.spec();
    String root = hdfs + "/embeddings/";
    TestPipeline p = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    PCollectionTuple encoded = p
        .apply(FileIO.match().filepattern(hdfs + "/audio/*.ogg"))
        .apply(FileIO.readMatches())
        .apply(HumpbackIO.encodeFiles(spec).withMaxShardSeconds(10));
    PAssert.that(encoded.get(HumpbackIO.FAILURES)).empty();
    PCollectionTuple written = encoded.get(HumpbackIO.EMBEDDINGS)
        .apply(EmbeddingParquetIO.write(root).withFooter(Yamnet.footer()));
    PAssert.that(written.get(EmbeddingParquetIO.FAILURES)).empty();
    PAssert.that(written.get(EmbeddingParquetIO.WRITTEN)
            .apply("WrittenPaths", MapElements.into(TypeDescriptors.strings()).via(EmbeddingParquetIO.WrittenFile::path)))
        .satisfies(paths -> {
          paths.forEach(x -> org.junit.jupiter.api.Assertions.assertTrue(x.startsWith(root), x));
          return null;
        });
    p.run().waitUntilFinish();

    for (Path local : Yamnet.audio()) {
      String id = hdfs + "/audio/" + local.getFileName();
      EmbeddingParquet.Contents c = EmbeddingParquet.read(EmbeddingParquetIO.target(root, Yamnet.footer(), id));
      List<EmbeddedWindow> want = HumpbackIOTest.wholeFile(spec, local);
      assertEquals(want.size(), c.rows().size(), id);
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.get(i).startS(), c.rows().get(i).startS(), 0);
        assertArrayEquals(want.get(i).embedding(), c.rows().get(i).embedding(), 1e-6f, id + " row " + i);
      }
      assertEquals(Yamnet.footer().encodingSignature(), c.metadata().encodingSignature());
    }
    // Read through the same IO, in a pipeline
    TestPipeline r = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    long rows = 0;
    for (Path local : Yamnet.audio()) {
      rows += HumpbackIOTest.wholeFile(spec, local).size();
    }
    PAssert.thatSingleton(r.apply(EmbeddingParquetIO.read().from(root + "yamnet/*/*.parquet"))
            .apply(org.apache.beam.sdk.transforms.Count.globally()))
        .isEqualTo(rows);
    r.run().waitUntilFinish();
  }
}
