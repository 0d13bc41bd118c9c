package org.humpback.transforms.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Loader;

/**
 * Makes TFLite models with Select-TF ("Flex*") custom ops runnable. The bytedeco TFLite build has
 * no Flex delegate of its own, but TFLite's interpreter builder looks up the weak symbol
 * {@code TF_AcquireFlexDelegate} in the process: TF Java's {@code libtensorflow_cc} provides it. So
 * before such a model's interpreter is built we let TF Java extract and load its natives, then
 * re-open those same files with {@code RTLD_GLOBAL} so their symbols become visible to TFLite.
 */
final class FlexSupport {

  private static volatile List<String> loaded;

  private FlexSupport() {}

  /** Loads TF's native libraries globally, once per JVM; returns the files loaded. */
  static synchronized List<String> ensureLoaded() {
    if (loaded != null) {
      return loaded;
    }
    // Touching TF Java makes it extract and load libtensorflow_framework / libtensorflow_cc.
    org.tensorflow.TensorFlow.version();
    List<String> files = new ArrayList<>();
    Map<String, String> libs = Loader.getLoadedLibraries();
    for (String want : new String[] {"tensorflow_framework", "tensorflow_cc"}) {
      for (Map.Entry<String, String> e : libs.entrySet()) {
        String file = e.getValue();
        if (file != null && file.contains("lib" + want + ".so")) {
          Loader.loadGlobal(file);
          files.add(file);
          break;
        }
      }
    }
    if (files.stream().noneMatch(f -> f.contains("tensorflow_cc"))) {
      throw new ModelException("Flex ops need TF Java's libtensorflow_cc, which was not found among the "
          + "loaded native libraries " + libs.keySet());
    }
    loaded = List.copyOf(files);
    return loaded;
  }
}
