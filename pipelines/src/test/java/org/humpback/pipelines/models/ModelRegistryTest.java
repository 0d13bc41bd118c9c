package org.humpback.pipelines.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelDescription;
import org.humpback.transforms.model.ModelException;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry rules over a real SQLite file. The prober here answers from a table keyed by file name,
 * so that each rule is tested on its own; {@link ModelRegistryRealModelsTest} probes real models.
 */
class ModelRegistryTest {

  @TempDir Path dir;
  Path modelsDir;
  Database db;
  ModelRegistry registry;
  final List<ModelConfig> probed = new ArrayList<>();

  static TensorInfo t(int index, String name, long... shape) {
    return new TensorInfo(index, name, shape, "float32");
  }

  /** The YAMNet preset's embedding tensor. */
  static final String EMB = "yamnet_frames/global_average_pooling2d/Mean";

  /** What the fake runtime says each file declares. */
  final Map<String, ModelDescription> declared = Map.of(
      "yamnet.tflite", new ModelDescription(ModelType.TFLITE, List.of(), null,
          List.of(t(0, "waveform", 15600)), List.of(t(0, "scores", 1, 521), t(1, EMB, 1, 1024)),
          t(0, "waveform", 15600), t(0, "scores", 1, 521), InputFormat.WAVEFORM, 521, List.of()),
      "spec.onnx", new ModelDescription(ModelType.ONNX, List.of(), null,
          List.of(t(0, "mel", -1, 128, 128)), List.of(t(0, "vec", -1, 256)),
          t(0, "mel", -1, 128, 128), t(0, "vec", -1, 256), InputFormat.SPECTROGRAM, 256, List.of()),
      "dyn.onnx", new ModelDescription(ModelType.ONNX, List.of(), null,
          List.of(t(0, "x", -1, -1)), List.of(t(0, "y", -1, -1)),
          t(0, "x", -1, -1), t(0, "y", -1, -1), InputFormat.WAVEFORM, -1, List.of()),
      // Like Google's YAMNet .tflite: only the scores are an output, the embedding is computed inside.
      "yamnet_lite.tflite", new ModelDescription(ModelType.TFLITE, List.of(), null,
          List.of(t(0, "waveform", 15600)), List.of(t(0, "scores", 1, 521)),
          t(0, "waveform", 15600), t(0, "scores", 1, 521), InputFormat.WAVEFORM, 521, List.of()),
      // A YAMNet-named file without the embedding tensor.
      "yamnet_head.tflite", new ModelDescription(ModelType.TFLITE, List.of(), null,
          List.of(t(0, "waveform", 15600)), List.of(t(0, "scores", 1, 2)),
          t(0, "waveform", 15600), t(0, "scores", 1, 2), InputFormat.WAVEFORM, 2, List.of()));

  /** Tensors a fake TFLite file computes without outputting them; naming one adds it as the last output. */
  final Map<String, TensorInfo> intermediates = Map.of("yamnet_lite.tflite", t(1, EMB, 1, 1024));

  ModelDescription fakeProbe(ModelConfig c) {
    probed.add(c);
    String file = Path.of(c.path()).getFileName().toString();
    if (file.startsWith("broken")) {
      throw new ModelException(c.path() + ": not a TFLite flatbuffer (file truncated?)");
    }
    ModelDescription d = declared.get(file);
    if (d == null) {
      throw new ModelException(c.path() + ": unknown test model");
    }
    TensorInfo hidden = intermediates.get(file);
    if (hidden != null && hidden.name().equals(c.outputName())) {
      List<TensorInfo> outs = new ArrayList<>(d.outputs());
      outs.add(hidden);
      return new ModelDescription(d.type(), d.signatures(), d.selectedSignature(), d.inputs(), outs, d.selectedInput(),
          hidden, d.inputFormat(), 1024, d.flexOps());
    }
    if (c.outputName() != null) {
      TensorInfo out = d.outputs().stream().filter(o -> o.name().equals(c.outputName())).findFirst()
          .orElseThrow(() -> new ModelException(c.path() + ": no output named '" + c.outputName() + "'"));
      d = new ModelDescription(d.type(), d.signatures(), d.selectedSignature(), d.inputs(), d.outputs(), d.selectedInput(),
          out, d.inputFormat(), (int) out.shape()[out.shape().length - 1], d.flexOps());
    }
    return d;
  }

  @BeforeEach
  void open(TestBackend backend) throws IOException {
    modelsDir = Files.createDirectories(dir.resolve("models"));
    for (String f : List.of("yamnet.tflite", "spec.onnx", "dyn.onnx", "broken.tflite", "notes.txt")) {
      Files.writeString(modelsDir.resolve(f), "bytes of " + f);
    }
    db = backend.open(dir);
    registry = new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of()), this::fakeProbe);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @OnBothBackends
  void registerFillsInFromProbeAndPreset() {
    ModelRecord m = registry.register(ModelSpec.of("yamnet.tflite"));
    assertEquals("yamnet", m.name());
    assertEquals(ModelType.TFLITE.wireName(), m.modelType());
    // The YAMNet preset names its embedding tensor, and the file has it as an output.
    assertEquals(EMB, m.outputName());
    assertEquals(1024, m.vectorDim());
    assertEquals(InputFormat.WAVEFORM.wireName(), m.inputFormat());
    assertEquals(16000, m.sampleRate());
    assertEquals(0.975, m.windowSeconds());
    assertEquals(64, m.modelSha256().length());
    assertEquals(modelsDir.resolve("yamnet.tflite").toString(), m.path());
    assertTrue(m.isDefault(), "the first model becomes the default");
  }

  @OnBothBackends
  void presetEmbeddingMayBeAnIntermediateTfliteTensor() throws IOException {
    Files.writeString(modelsDir.resolve("yamnet_lite.tflite"), "bytes");
    Files.writeString(modelsDir.resolve("yamnet_head.tflite"), "bytes");
    ModelRecord lite = registry.register(ModelSpec.of("yamnet_lite.tflite"));
    assertEquals(EMB, lite.outputName(), "the preset's tensor, computed inside the graph, is selected");
    assertEquals(1024, lite.vectorDim());
    assertEquals(1024, registry.describe("yamnet_lite").vectorDim());
    // Without that tensor the file keeps its first output, and registration still succeeds.
    ModelRecord head = registry.register(ModelSpec.of("yamnet_head.tflite"));
    assertNull(head.outputName());
    assertEquals(2, head.vectorDim());
  }

  @OnBothBackends
  void contradictionsAreRefusedWithTheModelsFacts() {
    Refusal e = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("yamnet.tflite").withOutputName("scores").withVectorDim(1280)));
    assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
    assertTrue(e.getMessage().startsWith("vector_dim 1280 contradicts the model's output scores[1,521] (521)"), e.getMessage());
    assertTrue(e.getMessage().contains(EMB + "[1,1024]"), "names the other outputs: " + e.getMessage());

    Refusal f = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("yamnet.tflite").withInputFormat(InputFormat.SPECTROGRAM)));
    assertEquals("input_format spectrogram contradicts the model's input waveform[15600], which has a waveform shape", f.getMessage());

    // Matching claims pass.
    ModelRecord ok = registry.register(ModelSpec.of("spec.onnx").withVectorDim(256).withInputFormat(InputFormat.SPECTROGRAM));
    assertEquals(256, ok.vectorDim());
    assertTrue(registry.list().stream().noneMatch(m -> m.name().equals("yamnet")));
  }

  @OnBothBackends
  void dynamicOutputNeedsAClaimAndDynamicInputTakesTheUsersFormat() {
    Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("dyn.onnx")));
    assertTrue(e.getMessage().contains("y[-1,-1] has no fixed length"), e.getMessage());
    ModelRecord m = registry.register(ModelSpec.of("dyn.onnx").withVectorDim(64).withInputFormat(InputFormat.SPECTROGRAM));
    assertEquals(64, m.vectorDim());
    assertEquals(InputFormat.SPECTROGRAM.wireName(), m.inputFormat());
  }

  @OnBothBackends
  void unopenableModelGivesClearError() {
    Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("broken.tflite")));
    assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
    assertTrue(e.getMessage().contains("broken.tflite") && e.getMessage().contains("truncated"), e.getMessage());
    Refusal type = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("notes.txt")));
    assertTrue(type.getMessage().contains("Cannot tell the model_type"), type.getMessage());
    Refusal missing = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("nope.onnx")));
    assertEquals(Refusal.Kind.NOT_FOUND, missing.kind());
  }

  @OnBothBackends
  void pathsOutsideTheModelsFolderAreRefused() throws IOException {
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(outside.resolve("spec.onnx"), "x");
    for (String bad : List.of("../elsewhere/spec.onnx", outside.resolve("spec.onnx").toString(), "sub/../../elsewhere/spec.onnx")) {
      Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of(bad)), bad);
      assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
      assertTrue(e.getMessage().contains("outside the models folder"), e.getMessage());
    }
    // A symlink inside the folder pointing out is refused too.
    Files.createSymbolicLink(modelsDir.resolve("link.onnx"), outside.resolve("spec.onnx"));
    Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("link.onnx")));
    assertTrue(e.getMessage().contains("outside the models folder"), e.getMessage());
    assertTrue(probed.isEmpty(), "nothing outside was opened");

    // An operator-allowed root admits it.
    ModelRegistry allowing = new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of(outside)), this::fakeProbe);
    assertEquals(outside.resolve("spec.onnx").toRealPath().toString(),
        allowing.register(ModelSpec.of(outside.resolve("spec.onnx").toString())).path());
  }

  @OnBothBackends
  void exactlyOneDefault() {
    ModelRecord a = registry.register(ModelSpec.of("yamnet.tflite"));
    ModelRecord b = registry.register(ModelSpec.of("spec.onnx"));
    assertTrue(a.isDefault());
    assertFalse(b.isDefault());
    registry.setDefault("spec");
    assertEquals(List.of("spec"), registry.list().stream().filter(ModelRecord::isDefault).map(ModelRecord::name).toList());
    ModelRecord c = registry.register(ModelSpec.of("dyn.onnx").withVectorDim(8).withSampleRate(16000).withWindowSeconds(1.0)
        .withMakeDefault(true));
    assertTrue(c.isDefault());
    assertEquals(List.of("dyn"), registry.list().stream().filter(ModelRecord::isDefault).map(ModelRecord::name).toList());
    assertEquals(Refusal.Kind.NOT_FOUND, assertThrows(Refusal.class, () -> registry.setDefault("nope")).kind());
    // Deleting the default hands it on.
    registry.delete("dyn");
    assertEquals(1, registry.list().stream().filter(ModelRecord::isDefault).count());
  }

  @OnBothBackends
  void deleteRefusedWhileEmbeddingSetsUseTheModel() {
    registry.register(ModelSpec.of("spec.onnx"));
    AudioFile f = TestDatabases.audioFile(db, "abc");
    EmbeddingSet set = new EmbeddingSet(Ids.newId(), f.id(), "sig", "spec", 5.0, 32000, 256, "/x.parquet", 3L, Timestamps.now());
    db.dao(EmbeddingSetDao.class).insert(set);
    Refusal e = assertThrows(Refusal.class, () -> registry.delete("spec"));
    assertEquals(Refusal.Kind.CONFLICT, e.kind());
    assertTrue(e.getMessage().contains("1 embedding set(s)"), e.getMessage());
    Refusal change = assertThrows(Refusal.class,
        () -> registry.update("spec", ModelSpec.unchanged().withVectorDim(256).withOutputName("vec")));
    assertEquals(Refusal.Kind.CONFLICT, change.kind());
    // Cosmetic changes are fine.
    assertEquals("Spectro", registry.update("spec", ModelSpec.unchanged().withDisplayName("Spectro")).displayName());
    db.dao(EmbeddingSetDao.class).delete(set.id());
    registry.delete("spec");
    assertTrue(registry.find("spec").isEmpty());
  }

  @OnBothBackends
  void updateReprobesWhatTheModelComputesAndKeepsTheRest() {
    ModelRecord m = registry.register(ModelSpec.of("yamnet.tflite").withDescription("first"));
    int probes = probed.size();
    ModelRecord renamed = registry.update("yamnet", ModelSpec.unchanged().withName("yam").withDisplayName("YAMNet"));
    assertEquals(probes, probed.size(), "cosmetic changes do not open the model");
    assertEquals("yam", renamed.name());
    assertEquals("YAMNet", renamed.displayName());
    assertEquals("first", renamed.description());
    assertEquals(m.id(), renamed.id());
    assertTrue(renamed.isDefault());

    ModelRecord scores = registry.update("yam", ModelSpec.unchanged().withOutputName("scores"));
    assertEquals(521, scores.vectorDim(), "re-probed with the new output");
    assertEquals("scores", scores.outputName());
    Refusal e = assertThrows(Refusal.class,
        () -> registry.update("yam", ModelSpec.unchanged().withOutputName(EMB).withVectorDim(999)));
    assertTrue(e.getMessage().startsWith("vector_dim 999 contradicts the model's output " + EMB + "[1,1024]"), e.getMessage());
    assertEquals(521, registry.get("yam").vectorDim(), "a refused update changes nothing");
    assertEquals(Refusal.Kind.NOT_FOUND,
        assertThrows(Refusal.class, () -> registry.update("nope", ModelSpec.unchanged())).kind());
  }

  @OnBothBackends
  void nameConflictsAndInvalidValues() {
    registry.register(ModelSpec.of("spec.onnx").withName("m1"));
    assertEquals(Refusal.Kind.CONFLICT,
        assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("yamnet.tflite").withName("m1"))).kind());
    assertEquals(Refusal.Kind.BAD_REQUEST,
        assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("yamnet.tflite").withName("../x"))).kind());
    Refusal fe = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("yamnet.tflite").withFrontEndConfig("{\"n_melz\": 64}")));
    assertTrue(fe.getMessage().contains("n_melz"), fe.getMessage());
    Refusal sr = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("yamnet.tflite").withSampleRate(-5)));
    assertEquals("Invalid sample_rate: -5 (expected > 0)", sr.getMessage());
    Refusal type = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("yamnet.tflite").withModelType(ModelType.TF2_SAVED_MODEL)));
    assertTrue(type.getMessage().startsWith("model_type tf2_saved_model contradicts"), type.getMessage());
  }

  @OnBothBackends
  void scanListsModelsWithProbeResults() throws IOException {
    Path saved = Files.createDirectories(modelsDir.resolve("nested/my_saved"));
    Files.writeString(saved.resolve("saved_model.pb"), "pb");
    Files.createDirectories(saved.resolve("variables"));
    Files.writeString(saved.resolve("variables/inner.tflite"), "must not be listed: inside a SavedModel");
    registry.register(ModelSpec.of("spec.onnx"));

    List<ScannedModel> scan = registry.scan();
    assertEquals(List.of("broken.tflite", "dyn.onnx", "nested/my_saved", "spec.onnx", "yamnet.tflite"),
        scan.stream().map(ScannedModel::filename).toList());
    ScannedModel spec = scan.get(3);
    assertTrue(spec.registered());
    assertEquals(ModelType.ONNX, spec.modelType());
    assertEquals(InputFormat.SPECTROGRAM, spec.inputFormat());
    assertEquals(256, spec.vectorDim());
    ScannedModel broken = scan.get(0);
    assertFalse(broken.registered());
    assertNull(broken.inputFormat());
    assertTrue(broken.probeError().contains("truncated"), broken.probeError());
    ScannedModel sm = scan.get(2);
    assertEquals(ModelType.TF2_SAVED_MODEL, sm.modelType());
    assertTrue(sm.sizeBytes() > 2);
    assertEquals(1024, scan.get(4).vectorDim(), "the preset's embedding output");
  }

  @OnBothBackends
  void seedsDefaultOnceOnFirstStart() {
    ModelRecord seeded = registry.seedDefaultIfEmpty(null).orElseThrow();
    // broken.tflite and dyn.onnx (no fixed length) cannot be registered; spec.onnx is next by name.
    assertEquals("spec", seeded.name());
    assertTrue(seeded.isDefault());
    assertTrue(registry.seedDefaultIfEmpty(null).isEmpty());
    registry.delete("spec");
    assertTrue(registry.seedDefaultIfEmpty(null).isEmpty(), "seeding happens once per database");
  }

  @OnBothBackends
  void seedPrefersTheConfiguredModelPath() {
    assertEquals("yamnet", registry.seedDefaultIfEmpty("yamnet.tflite").orElseThrow().name());
  }
}
