package org.humpback.pipelines;

import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.Features;
import org.humpback.transforms.audio.FeatureWindow;
import org.humpback.transforms.audio.WindowCoders;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.FailedWindow;
import org.humpback.transforms.model.Inference;
import org.humpback.transforms.model.ModelConfig;

/**
 * The encoding stages, composed only from the transforms module's building blocks:
 * decode+window → {@link Features#of} → {@link Inference#embed}. Every stage's dead letters become
 * {@link FileFailure}s for {@link WriteEmbeddings}.
 */
record Stages(PCollection<EmbeddedWindow> embedded, List<PCollection<FileFailure>> failures) {

  static final TupleTag<AudioWindow> AUDIO = new TupleTag<>() {};
  static final TupleTag<FileFailure> DECODE_FAILED = new TupleTag<>() {};

  static Stages apply(PCollection<KV<String, String>> files, EncodingSpec spec, EncodingOptions options) {
    PCollectionTuple decoded = files.apply("DecodeAndWindow",
        ParDo.of(new DecodeFn(spec)).withOutputTags(AUDIO, TupleTagList.of(DECODE_FAILED)));
    decoded.get(AUDIO).setCoder(WindowCoders.AudioWindowCoder.of());
    PCollection<FeatureWindow> features = decoded.get(AUDIO).apply("Features", Features.of(spec.frontEnd()));
    ModelConfig model = spec.model().withBatchSize(options.getBatchSize()).withThreads(options.getModelThreads());
    PCollectionTuple inferred = features.apply("Inference", Inference.embed(model).withFailures());
    PCollection<FileFailure> inferenceFailed = inferred.get(Inference.FAILED).apply("InferenceFailures",
        MapElements.into(TypeDescriptor.of(FileFailure.class)).via((FailedWindow f) -> new FileFailure(f.sourceId(),
            "inference", "Inference failed on window " + f.index() + " (" + f.startS() + " s): " + f.error())));
    return new Stages(inferred.get(Inference.EMBEDDED), List.of(decoded.get(DECODE_FAILED), inferenceFailed));
  }

  /**
   * Decodes one whole file, resampled to the front end's rate, and cuts it into windows as it
   * streams (memory: one window plus one hop). A file FFmpeg cannot read becomes a dead letter.
   */
  static final class DecodeFn extends DoFn<KV<String, String>, AudioWindow> {
    private final EncodingSpec spec;
    private final Counter windows = Metrics.counter(EncodingPipeline.class, "windows_decoded");

    DecodeFn(EncodingSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<String, String> file, MultiOutputReceiver out) {
      String id = file.getKey();
      try (AudioDecoder decoder = AudioDecoder.open(Path.of(file.getValue()), spec.frontEnd().sampleRate())) {
        Windower w = Windower.over(id, decoder, spec.frontEnd());
        AudioWindow a;
        while ((a = w.next()) != null) {
          out.get(AUDIO).output(a);
          windows.inc();
        }
      } catch (AudioDecodeException e) {
        out.get(DECODE_FAILED).output(new FileFailure(id, "decode", e.getMessage()));
      } catch (RuntimeException e) {
        out.get(DECODE_FAILED).output(new FileFailure(id, "decode",
            "Cannot decode audio file " + file.getValue() + ": " + EncodingPipeline.rootMessage(e)));
      }
    }
  }
}
