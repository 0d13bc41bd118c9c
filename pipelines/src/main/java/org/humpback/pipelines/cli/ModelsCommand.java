package org.humpback.pipelines.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Json;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.pipelines.models.ModelSpec;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.pipelines.models.ScannedModel;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelDescription;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;

/**
 * {@code humpback models list | scan | add <path> [options] | show <name|path> | set-default <name> | rm <name>}.
 *
 * <p>Configured from the HUMPBACK_* environment ({@link HumpbackSettings}). Exit status: 0 done,
 * 1 refused (the message says why), 2 usage error.
 */
public final class ModelsCommand {

  static final String USAGE = """
      usage: humpback models <subcommand>
        list [--json]                 registered models (* marks the default)
        scan [--json]                 models in the models folder (HUMPBACK_MODELS_DIR), probed
        add <path> [options]          register a model file (.tflite, .onnx) or SavedModel folder; a waveform
                                      model needs --sample-rate (unless a preset knows it), and --window-s
                                      when its input length is dynamic
            --name N  --display-name D  --description T  --vector-dim N  --input-format spectrogram|waveform
            --model-type tflite|tf2_saved_model|onnx  --sample-rate HZ  --window-s S  --output NAME
            --input NAME  --signature NAME  --transpose  --front-end JSON  --default
        show <name|path>              a model's settings and the inputs/outputs it declares
        set-default <name>            make a model the default
        rm <name>                     delete a model no embedding set was made with
      """;

  private ModelsCommand() {}

  /** Entry point from {@code ./humpback models ...}. */
  public static int run(String[] args) {
    quietLibraryLogs();
    HumpbackSettings settings;
    try {
      settings = HumpbackSettings.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("humpback models: " + e.getMessage());
      return 2;
    }
    return run(args, settings, Path.of("").toAbsolutePath(), System.out, System.err);
  }

  /** Testable entry point. */
  public static int run(String[] args, HumpbackSettings settings, Path workingDir, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String sub = args[0];
    List<String> rest = List.of(args).subList(1, args.length);
    try (Database db = Database.open(settings)) {
      ModelRegistry registry = ModelRegistry.create(db, settings);
      return switch (sub) {
        case "list" -> {
          registry.seedDefaultIfEmpty(settings.modelPath());
          yield list(registry, rest.contains("--json"), out);
        }
        case "scan" -> scan(registry, rest.contains("--json"), out);
        case "add" -> add(registry, rest, workingDir, out, err);
        case "show" -> show(registry, one(rest, "show <name|path>"), workingDir, out);
        case "set-default" -> {
          ModelRecord m = registry.setDefault(one(rest, "set-default <name>"));
          out.println("default model: " + m.name());
          yield 0;
        }
        case "rm" -> {
          ModelRecord m = registry.delete(one(rest, "rm <name>"));
          out.println("deleted model " + m.name() + " (" + m.path() + "); the file itself is untouched");
          yield 0;
        }
        default -> throw new UsageException("unknown subcommand '" + sub + "'");
      };
    } catch (UsageException e) {
      err.println("humpback models: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (Refusal e) {
      err.println("humpback models: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      // Bad values, a database that cannot open, an unreadable folder: a message, not a stack trace.
      err.println("humpback models: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()));
      return 1;
    }
  }

  private static int list(ModelRegistry registry, boolean json, PrintStream out) {
    List<ModelRecord> models = registry.list();
    if (json) {
      out.println(toJson(models.stream().map(ModelsCommand::toMap).toList()));
      return 0;
    }
    if (models.isEmpty()) {
      out.println("no models registered (models folder: " + registry.paths().modelsDir()
          + "); register one with: humpback models add <path>");
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "NAME", "TYPE", "INPUT", "DIM", "RATE", "WINDOW_S", "OUTPUT", "PATH"});
    for (ModelRecord m : models) {
      rows.add(new String[] {m.isDefault() ? "*" : "", m.name(), m.modelType(), m.inputFormat(),
          String.valueOf(m.vectorDim()), str(m.sampleRate()), str(m.windowSeconds()), str(m.outputName()), m.path()});
    }
    printTable(rows, out);
    return 0;
  }

  private static int scan(ModelRegistry registry, boolean json, PrintStream out) {
    List<ScannedModel> found = registry.scan();
    if (json) {
      List<Map<String, Object>> maps = new ArrayList<>();
      for (ScannedModel s : found) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("filename", s.filename());
        m.put("path", s.path());
        m.put("size_bytes", s.sizeBytes());
        m.put("registered", s.registered());
        m.put("model_type", s.modelType().wireName());
        m.put("input_format", s.inputFormat() == null ? null : s.inputFormat().wireName());
        m.put("vector_dim", s.vectorDim());
        m.put("probe_error", s.probeError());
        maps.add(m);
      }
      out.println(toJson(maps));
      return 0;
    }
    if (found.isEmpty()) {
      out.println("no models in " + registry.paths().modelsDir());
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"FILENAME", "TYPE", "INPUT", "DIM", "SIZE_BYTES", "REGISTERED", "PROBLEM"});
    for (ScannedModel s : found) {
      rows.add(new String[] {s.filename(), s.modelType().wireName(), s.inputFormat() == null ? "-" : s.inputFormat().wireName(),
          str(s.vectorDim()), String.valueOf(s.sizeBytes()), s.registered() ? "yes" : "no", str(s.probeError())});
    }
    printTable(rows, out);
    return 0;
  }

  private static int add(ModelRegistry registry, List<String> args, Path workingDir, PrintStream out, PrintStream err) {
    String path = null;
    ModelSpec spec = ModelSpec.of(null);
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        if (path != null) {
          throw new UsageException("add takes one path; got '" + path + "' and '" + a + "'");
        }
        path = a;
        continue;
      }
      String opt = a;
      String value = null;
      int eq = a.indexOf('=');
      if (eq > 0) {
        opt = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (opt.equals("--transpose")) {
        spec = spec.withTransposeSpectrogram(true);
        continue;
      }
      if (opt.equals("--default")) {
        spec = spec.withMakeDefault(true);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new UsageException("option " + opt + " needs a value");
        }
        value = args.get(++i);
      }
      spec = switch (opt) {
        case "--name" -> spec.withName(value);
        case "--display-name" -> spec.withDisplayName(value);
        case "--description" -> spec.withDescription(value);
        case "--vector-dim" -> spec.withVectorDim(parseInt(opt, value));
        case "--input-format" -> spec.withInputFormat(InputFormat.fromWireName(value));
        case "--model-type" -> spec.withModelType(ModelType.fromWireName(value));
        case "--sample-rate" -> spec.withSampleRate(parseInt(opt, value));
        case "--window-s", "--window-seconds" -> spec.withWindowSeconds(parseDouble(opt, value));
        case "--output" -> spec.withOutputName(value);
        case "--input" -> spec.withInputName(value);
        case "--signature" -> spec.withSignatureName(value);
        case "--front-end" -> spec.withFrontEndConfig(value);
        default -> throw new UsageException("unknown option " + opt + " for add");
      };
    }
    if (path == null) {
      throw new UsageException("add needs a model path");
    }
    ModelRecord m = registry.register(spec.withPath(userPath(path, workingDir)));
    out.println("registered " + m.name() + (m.isDefault() ? " (default)" : "") + ": " + m.modelType() + ", "
        + m.inputFormat() + " input, " + m.vectorDim() + "-d vectors"
        + (m.outputName() != null ? " from output '" + m.outputName() + "'" : "")
        + (m.sampleRate() != null ? ", " + m.sampleRate() + " Hz" : "")
        + (m.windowSeconds() != null ? ", " + m.windowSeconds() + " s windows" : "") + "\n  " + m.path());
    return 0;
  }

  private static int show(ModelRegistry registry, String nameOrPath, Path workingDir, PrintStream out) {
    var registered = registry.find(nameOrPath);
    ModelDescription d;
    Path modelPath;
    if (registered.isPresent()) {
      ModelRecord m = registered.get();
      modelPath = Path.of(m.path());
      for (Map.Entry<String, Object> e : toMap(m).entrySet()) {
        if (e.getValue() != null) {
          out.printf(Locale.ROOT, "%-22s %s%n", e.getKey(), e.getValue());
        }
      }
      d = registry.describe(m.name());
    } else {
      try {
        d = registry.describePath(userPath(nameOrPath, workingDir), null);
        modelPath = registry.paths().resolve(userPath(nameOrPath, workingDir));
      } catch (Refusal e) {
        if (e.kind() != Refusal.Kind.NOT_FOUND) {
          throw e;
        }
        throw Refusal.notFound("No model named '" + nameOrPath + "' is registered, and no model file is at that path");
      }
      out.printf(Locale.ROOT, "%-22s %s%n", "registered", "no");
    }
    out.printf(Locale.ROOT, "%-22s %s%n", "probed.model_type", d.type().wireName());
    if (!d.signatures().isEmpty()) {
      out.printf(Locale.ROOT, "%-22s %s (selected: %s)%n", "probed.signatures", String.join(", ", d.signatures()), d.selectedSignature());
    }
    out.println("inputs:");
    for (TensorInfo t : d.inputs()) {
      out.println("  " + (t.name().equals(d.selectedInput().name()) ? "* " : "  ") + tensor(t));
    }
    out.println("outputs:");
    for (TensorInfo t : d.outputs()) {
      out.println("  " + (t.name().equals(d.selectedOutput().name()) ? "* " : "  ") + tensor(t));
    }
    if (d.type() == ModelType.TFLITE) {
      // A classifier's embedding is often an intermediate tensor (YAMNet's .tflite outputs only scores).
      ModelProbe.embeddingCandidate(modelPath.toString(), ModelType.TFLITE)
          .filter(c -> !c.name().equals(d.selectedOutput().name()))
          .ifPresent(c -> out.printf(Locale.ROOT, "%-22s %s (input of the last FULLY_CONNECTED; select it with --output)%n",
              "embedding_candidate", tensor(c)));
    }
    out.printf(Locale.ROOT, "%-22s %s%n", "probed.input_format", d.inputFormat().wireName());
    out.printf(Locale.ROOT, "%-22s %d%n", "probed.vector_dim", d.vectorDim());
    if (!d.flexOps().isEmpty()) {
      out.printf(Locale.ROOT, "%-22s %s%n", "flex_ops", String.join(", ", d.flexOps()));
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------

  /** A relative path that exists from the working directory means that file; otherwise it is inside the models folder. */
  private static String userPath(String path, Path workingDir) {
    Path p = Path.of(path);
    if (!p.isAbsolute() && Files.exists(workingDir.resolve(p))) {
      return workingDir.resolve(p).toAbsolutePath().normalize().toString();
    }
    return path;
  }

  static Map<String, Object> toMap(ModelRecord m) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", m.id());
    map.put("name", m.name());
    map.put("display_name", m.displayName());
    map.put("path", m.path());
    map.put("model_type", m.modelType());
    map.put("input_format", m.inputFormat());
    map.put("vector_dim", m.vectorDim());
    map.put("is_default", m.isDefault());
    map.put("sample_rate", m.sampleRate());
    map.put("window_seconds", m.windowSeconds());
    map.put("input_name", m.inputName());
    map.put("output_name", m.outputName());
    map.put("signature_name", m.signatureName());
    map.put("transpose_spectrogram", m.transposeSpectrogram());
    map.put("front_end_config", m.frontEndConfig() == null ? null : Json.read(m.frontEndConfig()));
    map.put("model_sha256", m.modelSha256());
    map.put("description", m.description());
    map.put("created_at", org.humpback.registry.db.Timestamps.format(m.createdAt()));
    return map;
  }

  private static String tensor(TensorInfo t) {
    StringBuilder b = new StringBuilder(t.name()).append(" ").append(t.dtype()).append(" [");
    for (int i = 0; i < t.shape().length; i++) {
      b.append(i > 0 ? ", " : "").append(t.shape()[i] < 0 ? "?" : String.valueOf(t.shape()[i]));
    }
    return b.append("]").toString();
  }

  private static void printTable(List<String[]> rows, PrintStream out) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        b.append(c == cols - 1 ? r[c] : String.format(Locale.ROOT, "%-" + width[c] + "s  ", r[c]));
      }
      out.println(b.toString().stripTrailing());
    }
  }

  private static String toJson(Object value) {
    try {
      return Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String str(Object o) {
    return o == null ? "-" : o.toString();
  }

  private static String one(List<String> args, String usage) {
    if (args.size() != 1) {
      throw new UsageException("expected: " + usage);
    }
    return args.get(0);
  }

  private static int parseInt(String opt, String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid " + opt + ": '" + v + "' (expected an integer)");
    }
  }

  private static double parseDouble(String opt, String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid " + opt + ": '" + v + "' (expected a number)");
    }
  }

  /** Keeps pool and migration chatter out of a command's output unless the user asked for it. */
  private static void quietLibraryLogs() {
    for (String logger : List.of("com.zaxxer.hikari", "org.flywaydb")) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  private static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
