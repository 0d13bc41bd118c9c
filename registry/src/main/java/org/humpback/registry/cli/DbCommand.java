package org.humpback.registry.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.RegistryCopy;

/**
 * {@code humpback db migrate-to <url> [--from <url>] [--page-size N]}: copies the registry that
 * HUMPBACK_DATABASE_URL names (or {@code --from}) into an empty database, usually PostgreSQL, and
 * verifies it (see {@link RegistryCopy}). Exit status: 0 copied and verified, 1 refused or not equal
 * (the message says why), 2 usage error.
 */
public final class DbCommand {

  static final String USAGE = """
      usage: humpback db <subcommand>
        migrate-to <url> [--from <url>] [--page-size N]
            copy this registry (HUMPBACK_DATABASE_URL, or --from) into the empty database at <url>, e.g.
            jdbc:postgresql://host:5432/humpback (user and password in the URL, or HUMPBACK_DATABASE_USER and
            HUMPBACK_DATABASE_PASSWORD), then check that every table has the same row count and SHA-256.
            Stop the API and workers first. Run it again after an interruption: it resumes.
      """;

  private DbCommand() {}

  /** Entry point from {@code ./humpback db ...}. */
  public static int run(String[] args) {
    for (String logger : List.of("com.zaxxer.hikari", "org.flywaydb")) {
      System.setProperty("org.slf4j.simpleLogger.log." + logger, System.getProperty("org.slf4j.simpleLogger.log." + logger, "warn"));
    }
    HumpbackSettings settings;
    try {
      settings = HumpbackSettings.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println("humpback db: " + e.getMessage());
      return 2;
    }
    return run(args, settings, System.out, System.err);
  }

  /** Testable entry point. */
  public static int run(String[] args, HumpbackSettings settings, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    if (!args[0].equals("migrate-to")) {
      err.println("humpback db: unknown subcommand '" + args[0] + "'");
      err.print(USAGE);
      return 2;
    }
    String targetUrl = null;
    String sourceUrl = settings.databaseUrl();
    int pageSize = RegistryCopy.DEFAULT_PAGE_SIZE;
    try {
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--from" -> sourceUrl = value(args, ++i, "--from");
          case "--page-size" -> pageSize = pageSize(value(args, ++i, "--page-size"));
          default -> {
            if (args[i].startsWith("--") || targetUrl != null) {
              throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            targetUrl = args[i];
          }
        }
      }
      if (targetUrl == null) {
        throw new IllegalArgumentException("migrate-to needs the target database's URL");
      }
    } catch (IllegalArgumentException e) {
      err.println("humpback db: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    Duration timeout = Duration.ofSeconds(30);
    try (Database source = Database.open(sourceUrl, settings.databaseBaseDir(), 2, timeout);
        Database target = Database.open(targetUrl, settings.databaseBaseDir(), 2, timeout)) {
      if (source.toString().equals(target.toString())) {
        err.println("humpback db: the source and the target are the same database (" + source + ")");
        return 1;
      }
      out.println("copying " + source + " (" + source.vendor() + ")");
      out.println("   into " + target + " (" + target.vendor() + ")");
      long[] lastPrinted = {System.nanoTime()};
      RegistryCopy.Report report = new RegistryCopy(source, target, pageSize).run(line -> {
        if (System.nanoTime() - lastPrinted[0] > 2_000_000_000L) {
          out.println("  " + line);
          lastPrinted[0] = System.nanoTime();
        }
      });
      if (report.alreadyComplete()) {
        out.println("the target already holds a verified copy of this registry: checked again, nothing copied");
      } else if (report.resumed()) {
        out.println("resumed an interrupted copy");
      }
      printReport(report, out);
      if (!report.verified()) {
        err.println("humpback db: the copy differs from the source (see the rows marked DIFFERS); did the source"
            + " change during the copy? Stop the API and workers and run migrate-to again.");
        return 1;
      }
      out.println("verified: every table has the same rows (count and SHA-256). Now run humpback with");
      out.println("  HUMPBACK_DATABASE_URL=" + targetUrl.replaceAll("(?i)(password=)[^&]*", "$1***"));
      return 0;
    } catch (RegistryCopy.TargetNotEmptyException e) {
      err.println("humpback db: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println("humpback db: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()));
      return 1;
    }
  }

  private static void printReport(RegistryCopy.Report report, PrintStream out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TABLE", "SOURCE ROWS", "TARGET ROWS", "COPIED NOW", "SHA-256 (first 16)", ""});
    for (RegistryCopy.TableReport t : report.tables()) {
      rows.add(new String[] {t.table(), String.valueOf(t.sourceRows()), String.valueOf(t.targetRows()),
          String.valueOf(t.copiedNow()), t.sourceSha256().substring(0, 16)
              + (t.sourceSha256().equals(t.targetSha256()) ? "" : " / " + t.targetSha256().substring(0, 16)),
          t.matches() ? "equal" : "DIFFERS"});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(String.format(Locale.ROOT, i == 0 || i == 4 ? "%-" + widths[i] + "s  " : "%" + widths[i] + "s  ", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int pageSize(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("Invalid --page-size: '" + v + "' (expected an integer >= 1)");
  }
}
