package org.humpback.pipelines.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small command-line reader: {@code --name value}, {@code --name=value}, flags, and positionals. */
final class CliArgs {

  final List<String> positional = new ArrayList<>();
  private final Map<String, String> options = new LinkedHashMap<>();

  private CliArgs() {}

  /**
   * @param valued options that take a value
   * @param flags options that take none
   * @throws IllegalArgumentException on an unknown option or a missing value, naming it
   */
  static CliArgs parse(String[] args, Set<String> valued, Set<String> flags) {
    CliArgs a = new CliArgs();
    for (int i = 0; i < args.length; i++) {
      String s = args[i];
      if (!s.startsWith("--") || s.equals("--")) {
        a.positional.add(s);
        continue;
      }
      String name = s.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        a.options.put(name, value == null ? "true" : value);
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("Option --" + name + " needs a value");
          }
          value = args[++i];
        }
        a.options.put(name, value);
      } else {
        throw new IllegalArgumentException("Unknown option: --" + name);
      }
    }
    return a;
  }

  /** The option names of both sets. */
  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }

  String get(String name) {
    return options.get(name);
  }

  String get(String name, String dflt) {
    return options.getOrDefault(name, dflt);
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(options.getOrDefault(name, "false"));
  }

  Integer integer(String name, Integer dflt) {
    return integer(name, options.get(name), dflt);
  }

  /** {@code v} as an integer, {@code dflt} when null; the message names {@code --name}. */
  static Integer integer(String name, String v, Integer dflt) {
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid --" + name + ": '" + v + "' (expected an integer)");
    }
  }

  Double decimal(String name, Double dflt) {
    String v = options.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid --" + name + ": '" + v + "' (expected a number)");
    }
  }
}
