package org.humpback.pipelines.models;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.humpback.pipelines.EncodingJobs;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.AppStateDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelDescription;
import org.humpback.transforms.model.ModelException;
import org.humpback.transforms.model.ModelPreset;
import org.humpback.transforms.model.ModelPresets;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered embedding models. Registration opens the model once ({@link ModelProbe}) to fill
 * in what the user left out (vector length, input format, the embedding output of a known model)
 * and to refuse what contradicts the file, so a wrong registration fails here rather than hours
 * into an encoding job.
 *
 * <p>Invariants: names are unique; at most one model is the default, and once any model exists
 * exactly one is; a model's path lies inside the models folder or an operator-allowed root (see
 * {@link ModelPaths}); a model that embedding sets were made with is neither deleted, renamed nor
 * changed in what it computes.
 */
public final class ModelRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final String SEEDED_KEY = "default_model_seeded";
  private static final int SCAN_DEPTH = 6;

  /** Opens a model to describe it; {@link ModelProbe#probe} in production. */
  @FunctionalInterface
  public interface Prober {
    ModelDescription probe(ModelConfig config);
  }

  private final Jdbi jdbi;
  private final ModelPaths paths;
  private final Prober prober;

  public ModelRegistry(Jdbi jdbi, ModelPaths paths, Prober prober) {
    this.jdbi = jdbi;
    this.paths = paths;
    this.prober = prober;
  }

  /** The registry over {@code db}, the settings' models folder and allowed roots, probing with {@link ModelProbe}. */
  public static ModelRegistry create(Database db, HumpbackSettings settings) {
    return new ModelRegistry(db.jdbi(), new ModelPaths(settings.modelsDir(), settings.allowedModelRoots()), ModelProbe::probe);
  }

  public ModelPaths paths() {
    return paths;
  }

  public List<ModelRecord> list() {
    return jdbi.withExtension(ModelDao.class, ModelDao::list);
  }

  public Optional<ModelRecord> find(String name) {
    return jdbi.withExtension(ModelDao.class, dao -> dao.findByName(name));
  }

  /** The model named {@code name}, or NOT_FOUND. */
  public ModelRecord get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  public Optional<ModelRecord> findDefault() {
    return jdbi.withExtension(ModelDao.class, ModelDao::findDefault);
  }

  /**
   * Registers a model. The first model registered becomes the default.
   *
   * @throws Refusal BAD_REQUEST for an invalid value, an unsafe path, a model that cannot
   *     be opened or a claim it contradicts; NOT_FOUND for a missing file; CONFLICT for a taken name
   */
  public ModelRecord register(ModelSpec spec) {
    Path real = paths.resolve(spec.path());
    ModelType type = resolveType(spec.modelType(), real);
    String name = spec.name() != null ? validName(spec.name()) : deriveName(real);
    Optional<ModelPreset> preset = ModelPresets.match(real.toString()).or(() -> ModelPresets.match(name));
    Probed probed = probeAndCheck(real, type, spec.signatureName(), spec.inputName(), spec.outputName(),
        spec.inputFormat(), spec.vectorDim(), preset);
    String frontEnd = validFrontEnd(spec.frontEndConfig());
    InputWindow input = settleInput(name, probed, positive("sample_rate", spec.sampleRate()),
        positive("window_seconds", spec.windowSeconds()), preset, frontEnd);
    Integer sampleRate = input.sampleRate();
    Double windowSeconds = input.windowSeconds();
    String description = spec.description() != null ? spec.description() : preset.map(ModelPreset::notes).orElse(null);
    var now = Timestamps.now();
    ModelRecord record = new ModelRecord(Ids.newId(), name, spec.displayName() != null ? spec.displayName() : name,
        real.toString(), probed.vectorDim, description, false, type.wireName(), probed.inputFormat.wireName(), sampleRate,
        windowSeconds, frontEnd, probed.inputName, probed.outputName, probed.signatureName,
        Boolean.TRUE.equals(spec.transposeSpectrogram()), checksum(real), now, now);
    try {
      return jdbi.inTransaction(h -> {
        ModelDao dao = h.attach(ModelDao.class);
        if (dao.findByName(name).isPresent()) {
          throw Refusal.conflict("A model named '" + name + "' is already registered (choose another --name)");
        }
        if (spec.makeDefault() || dao.findDefault().isEmpty()) {
          dao.insertAsDefault(record);
        } else {
          dao.insert(record);
        }
        return dao.findByName(name).orElseThrow();
      });
    } catch (UnableToExecuteStatementException e) {
      // Another process registered the same name between our check and insert.
      throw new Refusal(Refusal.Kind.CONFLICT, "Cannot register model '" + name + "': " + rootMessage(e), e);
    }
  }

  /**
   * Changes a model; {@code null} fields of {@code patch} keep their value. Changes to what the
   * model computes (path, type, tensors, signature, vector_dim, input_format, transpose) are
   * probed and checked again, and refused while embedding sets were made with the model.
   */
  public ModelRecord update(String name, ModelSpec patch) {
    ModelRecord cur = get(name);
    boolean recompute = patch.changesOutputs();
    String newName = patch.name() != null ? validName(patch.name()) : cur.name();
    Path real = patch.path() != null ? paths.resolve(patch.path()) : Path.of(cur.path());
    ModelType type = patch.modelType() != null || patch.path() != null ? resolveType(patch.modelType() != null ? patch.modelType() : null, real) : ModelType.fromWireName(cur.modelType());
    Probed probed;
    if (recompute) {
      Optional<ModelPreset> preset = ModelPresets.match(real.toString()).or(() -> ModelPresets.match(newName));
      probed = probeAndCheck(real, type, or(patch.signatureName(), cur.signatureName()), or(patch.inputName(), cur.inputName()),
          or(patch.outputName(), cur.outputName()), patch.inputFormat(), patch.vectorDim(), preset);
    } else {
      probed = new Probed(cur.vectorDim(), InputFormat.fromWireName(cur.inputFormat()), cur.inputName(), cur.outputName(),
          cur.signatureName(), null);
    }
    String frontEnd = patch.frontEndConfig() != null ? validFrontEnd(patch.frontEndConfig()) : cur.frontEndConfig();
    Integer sampleRate = positive("sample_rate", or(patch.sampleRate(), cur.sampleRate()));
    Double windowSeconds = positive("window_seconds", or(patch.windowSeconds(), cur.windowSeconds()));
    if (recompute || patch.sampleRate() != null || patch.windowSeconds() != null || patch.frontEndConfig() != null) {
      // What the model is fed changes: its input must stay known and fit, as at registration.
      Probed withInput = probed.input() != null ? probed : new Probed(probed.vectorDim(), probed.inputFormat(),
          probed.inputName(), probed.outputName(), probed.signatureName(),
          probe(EncodingJobs.modelConfig(cur), cur.path()).selectedInput());
      InputWindow input = settleInput(newName, withInput, sampleRate, windowSeconds, Optional.empty(), frontEnd);
      sampleRate = input.sampleRate();
      windowSeconds = input.windowSeconds();
    }
    ModelRecord changed = new ModelRecord(cur.id(), newName, or(patch.displayName(), cur.displayName()), real.toString(),
        probed.vectorDim, or(patch.description(), cur.description()), cur.isDefault(), type.wireName(),
        probed.inputFormat.wireName(), sampleRate, windowSeconds, frontEnd,
        probed.inputName, probed.outputName, probed.signatureName,
        patch.transposeSpectrogram() != null ? patch.transposeSpectrogram() : cur.transposeSpectrogram(),
        recompute ? checksum(real) : cur.modelSha256(), cur.createdAt(), Timestamps.now());
    return jdbi.inTransaction(h -> {
      ModelDao dao = h.attach(ModelDao.class);
      long sets = dao.countEmbeddingSetsOf(cur.name());
      if (sets > 0 && (recompute || !newName.equals(cur.name()))) {
        throw Refusal.conflict("Model '" + cur.name() + "' was used for " + sets + " embedding set(s); "
            + (recompute ? "register the changed model under a new name instead" : "it cannot be renamed"));
      }
      if (!newName.equals(cur.name()) && dao.findByName(newName).isPresent()) {
        throw Refusal.conflict("A model named '" + newName + "' is already registered");
      }
      if (dao.update(changed) != 1) {
        throw notFound(name);
      }
      if (patch.makeDefault()) {
        dao.setDefault(cur.id());
      }
      return dao.findById(cur.id()).orElseThrow();
    });
  }

  /**
   * Deletes a model that no embedding set was made with. When it was the default, the first
   * remaining model (by name) becomes the default.
   *
   * @throws Refusal NOT_FOUND, or CONFLICT while embedding sets reference it
   */
  public ModelRecord delete(String name) {
    return jdbi.inTransaction(h -> {
      ModelDao dao = h.attach(ModelDao.class);
      ModelRecord cur = dao.findByName(name).orElseThrow(() -> notFound(name));
      long sets = dao.countEmbeddingSetsOf(name);
      if (sets > 0) {
        throw Refusal.conflict("Model '" + name + "' cannot be deleted: " + sets
            + " embedding set(s) were made with it; delete those first");
      }
      dao.delete(cur.id());
      if (cur.isDefault()) {
        dao.list().stream().findFirst().ifPresent(next -> dao.setDefault(next.id()));
      }
      return cur;
    });
  }

  /** Makes {@code name} the one default model (one transaction). */
  public ModelRecord setDefault(String name) {
    return jdbi.inTransaction(h -> {
      ModelDao dao = h.attach(ModelDao.class);
      ModelRecord cur = dao.findByName(name).orElseThrow(() -> notFound(name));
      dao.setDefault(cur.id());
      return dao.findById(cur.id()).orElseThrow();
    });
  }

  /** Opens a registered model again and reports its inputs and outputs. */
  public ModelDescription describe(String name) {
    ModelRecord m = get(name);
    return probe(EncodingJobs.modelConfig(m).withInputFormat(null), m.path());
  }

  /** Opens any model file the path rules allow (registered or not) and reports what it declares. */
  public ModelDescription describePath(String path, ModelType type) {
    Path real = paths.resolve(path);
    return probe(ModelConfig.of(real.toString(), resolveType(type, real)), real.toString());
  }

  /**
   * The models in the models folder: .tflite and .onnx files and folders holding saved_model.pb,
   * each probed (a model that fails to open is listed with the reason). Symlinks are not followed.
   */
  public List<ScannedModel> scan() {
    Path dir = paths.modelsDir();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(dir, Set.of(), SCAN_DEPTH, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          if (!d.equals(dir) && Files.isRegularFile(d.resolve("saved_model.pb"))) {
            found.add(d);
            return FileVisitResult.SKIP_SUBTREE;
          }
          String n = d.getFileName() == null ? "" : d.getFileName().toString();
          return n.startsWith(".") && !d.equals(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && ModelPaths.typeOf(f) != null) {
            found.add(f);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw Refusal.badRequest("Cannot scan the models folder " + dir + ": " + e.getMessage());
    }
    found.sort(Comparator.comparing(Path::toString));
    Set<String> registered = new HashSet<>();
    for (ModelRecord m : list()) {
      registered.add(realOrNormal(Path.of(m.path())));
    }
    List<ScannedModel> out = new ArrayList<>();
    for (Path p : found) {
      ModelType type = ModelPaths.typeOf(p);
      InputFormat format = null;
      Integer dim = null;
      String error = null;
      try {
        Optional<ModelPreset> preset = ModelPresets.match(p.toString());
        ModelDescription d = probeWithPresetOutput(ModelConfig.of(p.toString(), type), preset, p.toString());
        format = d.inputFormat();
        dim = d.vectorDim() > 0 ? d.vectorDim() : null;
      } catch (Refusal e) {
        error = e.getMessage();
      }
      out.add(new ScannedModel(dir.relativize(p).toString(), p.toString(), ModelPaths.sizeBytes(p),
          registered.contains(realOrNormal(p)), type, format, dim, error));
    }
    return out;
  }

  /**
   * On first start (no model ever registered or seeded), registers a default model: {@code
   * preferredPath} when given (e.g. HUMPBACK_MODEL_PATH), else the first model in the models folder
   * that opens. Runs once per database: deleting every model later does not bring it back.
   *
   * @return the seeded model, or empty when nothing was (or needed to be) seeded
   */
  public Optional<ModelRecord> seedDefaultIfEmpty(String preferredPath) {
    boolean seedable = jdbi.withHandle(h -> h.attach(ModelDao.class).count() == 0
        && h.attach(AppStateDao.class).get(SEEDED_KEY).isEmpty());
    if (!seedable) {
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>();
    if (preferredPath != null && !preferredPath.isBlank()) {
      candidates.add(preferredPath);
    }
    for (ScannedModel s : scan()) {
      if (s.probeError() == null) {
        candidates.add(s.path());
      }
    }
    for (String candidate : candidates) {
      try {
        ModelRecord m = register(ModelSpec.of(candidate).withMakeDefault(true));
        jdbi.useExtension(AppStateDao.class, dao -> dao.put(SEEDED_KEY, m.name()));
        LOG.info("Registered {} ({}) as the default model", m.name(), m.path());
        return Optional.of(m);
      } catch (Refusal e) {
        if (e.kind() == Refusal.Kind.CONFLICT) {
          return Optional.empty(); // another process seeded at the same moment
        }
        LOG.warn("Cannot register {} as the default model: {}", candidate, e.getMessage());
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------

  /** What probing settled. */
  private record Probed(int vectorDim, InputFormat inputFormat, String inputName, String outputName, String signatureName,
      TensorInfo input) {}

  /** The rate and window a model is fed; {@code null} leaves the installation's defaults (log-mel models only). */
  private record InputWindow(Integer sampleRate, Double windowSeconds) {}

  /**
   * A waveform model's input in time, settled before any audio is read (issue 13 item 6): its sample rate is never in
   * the file, so it comes from the user or the model's preset, or the model is refused; its window is the input's
   * length at that rate, or, when the input's length is dynamic, the user's (or the preset's) window, or the model is
   * refused. A window that contradicts a fixed input is refused too. Otherwise such a model registers and then fails
   * on every window of every job. With frame pooling ({@code frame_hop_seconds}) windows are cut to the input, so any
   * window fits. Log-mel models keep what was given (the front end's defaults fill the rest, and a job whose windows
   * do not fit is refused when it is queued).
   */
  private static InputWindow settleInput(String name, Probed probed, Integer sampleRate, Double windowSeconds,
      Optional<ModelPreset> preset, String frontEndJson) {
    Integer rate = sampleRate != null ? sampleRate : preset.map(ModelPreset::sampleRate).orElse(null);
    Double presetWindow = preset.map(ModelPreset::windowSeconds).orElse(null);
    if (probed.inputFormat() != InputFormat.WAVEFORM) {
      return new InputWindow(rate, windowSeconds != null ? windowSeconds : presetWindow);
    }
    String input = shape(probed.input());
    if (rate == null) {
      throw Refusal.badRequest("Cannot tell the sample rate of model '" + name + "': its input " + input
          + " is a waveform and the file does not say at what rate; give it (--sample-rate HZ, or \"sample_rate\")");
    }
    boolean pooled = frontEndJson != null
        && FrontEndConfig.fromJson(frontEndJson, FrontEndConfig.defaults()).frameHopSeconds() != null;
    long samples = EmbeddingModels.valuesPerItem(probed.input());
    if (pooled) {
      return new InputWindow(rate, windowSeconds != null ? windowSeconds : presetWindow);
    }
    if (samples <= 0) {
      Double window = windowSeconds != null ? windowSeconds : presetWindow;
      if (window == null) {
        throw Refusal.badRequest("Cannot tell the window of model '" + name + "': its input " + input
            + " has no fixed length; give the window it was trained on (--window-s SECONDS, or \"window_seconds\")");
      }
      return new InputWindow(rate, window);
    }
    if (windowSeconds != null && Math.round(windowSeconds * rate) != samples) {
      throw Refusal.badRequest("window_seconds " + windowSeconds + " at " + rate + " Hz is "
          + Math.round(windowSeconds * rate) + " samples, but the input " + input + " of model '" + name + "' takes "
          + samples + " (" + (double) samples / rate + " s at " + rate + " Hz)");
    }
    return new InputWindow(rate, windowSeconds != null ? windowSeconds : (double) samples / rate);
  }

  private Probed probeAndCheck(Path real, ModelType type, String signatureName, String inputName, String outputName,
      InputFormat claimedFormat, Integer claimedDim, Optional<ModelPreset> preset) {
    ModelConfig config = new ModelConfig(real.toString(), type, blankToNull(signatureName), blankToNull(inputName),
        blankToNull(outputName), null, false, 0, 1);
    ModelDescription d = probeWithPresetOutput(config, preset, real.toString());
    int dim = d.vectorDim();
    if (claimedDim != null) {
      if (claimedDim < 1) {
        throw Refusal.badRequest("Invalid vector_dim: " + claimedDim + " (expected >= 1)");
      }
      if (dim > 0 && claimedDim != dim) {
        throw Refusal.badRequest("vector_dim " + claimedDim + " contradicts the model's output "
            + shape(d.selectedOutput()) + " (" + dim + ")" + otherOutputs(d));
      }
      dim = claimedDim;
    } else if (dim <= 0) {
      throw Refusal.badRequest("The model's output " + shape(d.selectedOutput())
          + " has no fixed length per item; give vector_dim");
    }
    InputFormat format = d.inputFormat();
    if (claimedFormat != null && claimedFormat != format) {
      // The inferred format is a reading of the input's shape; a shape with dynamic dimensions
      // does not decide it, so then the user's word stands.
      if (d.selectedInput().elementsPerItem() > 0) {
        throw Refusal.badRequest("input_format " + claimedFormat.wireName() + " contradicts the model's input "
            + shape(d.selectedInput()) + ", which has a " + format.wireName() + " shape");
      }
      format = claimedFormat;
    }
    String signature = d.selectedSignature() != null ? d.selectedSignature() : config.signatureName();
    String output = config.outputName() != null ? config.outputName()
        : preset.map(ModelPreset::outputName).filter(n -> n.equals(d.selectedOutput().name())).orElse(null);
    return new Probed(dim, format, config.inputName(), output, signature, d.selectedInput());
  }

  /**
   * Probes; when no output was picked and a known model's embedding output (from its preset) is
   * in the file but not the first output, probes again with that output selected. For TFLite the
   * preset's name may also be an intermediate tensor (YAMNet's .tflite computes its 1024-d
   * embedding but outputs only the class scores): it is tried, and a file without it keeps its
   * first output.
   */
  private ModelDescription probeWithPresetOutput(ModelConfig config, Optional<ModelPreset> preset, String path) {
    ModelDescription d = probe(config, path);
    if (config.outputName() == null && preset.isPresent() && preset.get().outputName() != null
        && !preset.get().outputName().equals(d.selectedOutput().name())) {
      String wanted = preset.get().outputName();
      if (d.outputs().stream().anyMatch(t -> t.name().equals(wanted))) {
        d = probe(config.withOutputName(wanted), path);
      } else if (config.type() == ModelType.TFLITE) {
        try {
          d = probe(config.withOutputName(wanted), path);
        } catch (Refusal e) {
          LOG.debug("{} has no tensor '{}' (the {} preset's embedding); using its first output", path, wanted,
              preset.get().key());
        }
      }
    }
    return d;
  }

  private ModelDescription probe(ModelConfig config, String path) {
    try {
      ModelDescription d = prober.probe(config);
      if (d == null || d.selectedOutput() == null || d.selectedInput() == null) {
        throw Refusal.badRequest("Cannot probe model " + path + ": the runtime reported no input or output");
      }
      return d;
    } catch (Refusal e) {
      throw e;
    } catch (ModelException e) {
      throw new Refusal(Refusal.Kind.BAD_REQUEST, "Cannot open model: " + e.getMessage(), e);
    } catch (RuntimeException | LinkageError e) {
      throw new Refusal(Refusal.Kind.BAD_REQUEST,
          "Cannot open model " + path + " as " + config.type().wireName() + ": " + rootMessage(e), e);
    }
  }

  private static ModelType resolveType(ModelType claimed, Path real) {
    ModelType fromPath = ModelPaths.typeOf(real);
    if (claimed == null) {
      if (fromPath == null) {
        throw Refusal.badRequest("Cannot tell the model_type of " + real
            + " (expected a .tflite or .onnx file or a SavedModel folder holding saved_model.pb); give model_type");
      }
      return fromPath;
    }
    boolean isDir = Files.isDirectory(real);
    if ((claimed == ModelType.TF2_SAVED_MODEL) != isDir) {
      throw Refusal.badRequest("model_type " + claimed.wireName() + " contradicts " + real + " ("
          + (isDir ? "a folder; only tf2_saved_model is a folder" : "a file; tf2_saved_model is a folder holding saved_model.pb") + ")");
    }
    if (isDir && fromPath == null) {
      throw Refusal.badRequest("Folder " + real + " holds no saved_model.pb, so it is not a TF2 SavedModel");
    }
    return claimed;
  }

  private static String validName(String name) {
    String n = name.strip();
    if (!NAME.matcher(n).matches()) {
      throw Refusal.badRequest("Invalid model name: '" + name
          + "' (expected 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
    return n;
  }

  private static String deriveName(Path real) {
    String file = real.getFileName().toString();
    String stem = Files.isDirectory(real) ? file : file.replaceFirst("\\.(tflite|onnx)$", "");
    String n = stem.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._-]+", "");
    if (n.isEmpty()) {
      throw Refusal.badRequest("Cannot derive a model name from " + real + "; give a name");
    }
    return n.length() > 128 ? n.substring(0, 128) : n;
  }

  private static String validFrontEnd(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      FrontEndConfig.fromJson(json, FrontEndConfig.defaults());
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("Invalid front_end_config: " + e.getMessage());
    }
    return json.strip();
  }

  private static <T extends Number> T positive(String field, T v) {
    if (v != null && !(v.doubleValue() > 0 && Double.isFinite(v.doubleValue()))) {
      throw Refusal.badRequest("Invalid " + field + ": " + v + " (expected > 0)");
    }
    return v;
  }

  /** "name[1,521]": how users see shapes in TF/ONNX tools. */
  static String shape(TensorInfo t) {
    StringBuilder b = new StringBuilder(t.name()).append('[');
    for (int i = 0; i < t.shape().length; i++) {
      b.append(i > 0 ? "," : "").append(t.shape()[i]);
    }
    return b.append(']').toString();
  }

  private static String otherOutputs(ModelDescription d) {
    if (d.outputs().size() < 2) {
      return "";
    }
    List<String> others = new ArrayList<>();
    for (TensorInfo t : d.outputs()) {
      if (!t.name().equals(d.selectedOutput().name())) {
        others.add(shape(t));
      }
    }
    return "; other outputs: " + String.join(", ", others) + " (select one with output_name)";
  }

  /**
   * The checksum the encoding signature carries ({@link EncodingJobs#modelChecksum}: every file of a SavedModel
   * folder, not only saved_model.pb), so the stored {@code model_sha256} and the signature follow one rule.
   */
  static String checksum(Path real) {
    try {
      return EncodingJobs.modelChecksum(real);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw Refusal.badRequest("Cannot read model " + real + ": " + rootMessage(e));
    }
  }

  private static String realOrNormal(Path p) {
    try {
      return p.toRealPath().toString();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize().toString();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    return m.toLowerCase(Locale.ROOT).contains("unique") ? "the name is already taken (" + m + ")" : m;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }

  private static Refusal notFound(String name) {
    return Refusal.notFound("No model named '" + name + "' is registered");
  }
}
