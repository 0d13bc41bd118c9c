package org.humpback.registry.db;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a PostgreSQL database is and who logs in: a JDBC URL plus the user and password when they
 * are not in the URL. {@link #toString} hides the password.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/db[?params]}
 * @param user the user, or {@code null} when the URL names it (or the driver's default applies)
 * @param password the password, or {@code null} likewise
 */
public record PostgresUrl(String jdbcUrl, String user, String password) {

  private static final Pattern URI =
      Pattern.compile("^postgres(?:ql)?(?:\\+[a-z0-9_]+)?://(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]*)(/[^?]*)?(\\?.*)?$");
  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&]password=)[^&]*");
  private static final Pattern PASSWORD_IN_AUTHORITY = Pattern.compile("(://[^:@/]*:)[^@/]*@");

  public PostgresUrl {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("Invalid PostgreSQL url: '" + hide(jdbcUrl) + "' (expected jdbc:postgresql://host:port/db)");
    }
  }

  /**
   * Reads {@code jdbc:postgresql://host:port/db[?user=..&password=..]} or the libpq/SQLAlchemy form
   * {@code postgresql[+driver]://user:password@host:port/db}; a user or password the URL leaves out
   * comes from {@code HUMPBACK_DATABASE_USER} / {@code HUMPBACK_DATABASE_PASSWORD} in {@code env}.
   */
  public static PostgresUrl parse(String url, Map<String, String> env) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("Invalid PostgreSQL url: empty");
    }
    String u = url.trim();
    String jdbc;
    String user = null;
    String password = null;
    if (u.startsWith("jdbc:postgresql:")) {
      jdbc = u;
    } else {
      Matcher m = URI.matcher(u);
      if (!m.matches() || m.group(3).isEmpty()) {
        throw new IllegalArgumentException("Invalid PostgreSQL url: '" + hide(u)
            + "' (expected jdbc:postgresql://host:port/db or postgresql://user:password@host:port/db)");
      }
      user = m.group(1) == null || m.group(1).isEmpty() ? null : decode(m.group(1));
      password = m.group(2) == null ? null : decode(m.group(2));
      jdbc = "jdbc:postgresql://" + m.group(3) + (m.group(4) == null ? "/" : m.group(4)) + (m.group(5) == null ? "" : m.group(5));
    }
    String query = jdbc.contains("?") ? jdbc.substring(jdbc.indexOf('?')).toLowerCase(java.util.Locale.ROOT) : "";
    if (user == null && !query.matches(".*[?&]user=.*")) {
      user = blankToNull(env.get(Database.USER_VARIABLE));
    }
    if (password == null && !query.matches(".*[?&]password=.*")) {
      password = blankToNull(env.get(Database.PASSWORD_VARIABLE));
    }
    return new PostgresUrl(jdbc, user, password);
  }

  /** The same server and login, another database (e.g. a fresh one per test). */
  public PostgresUrl withDatabase(String database) {
    if (database == null || !database.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("Invalid database name: '" + database + "' (expected letters, digits, _)");
    }
    Matcher m = Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$").matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("Invalid PostgreSQL url: '" + this + "' (expected jdbc:postgresql://host:port/db)");
    }
    return new PostgresUrl(m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3)), user, password);
  }

  /** The JDBC URL with any password in it hidden, and the user when it is not in the URL. */
  @Override
  public String toString() {
    return hide(jdbcUrl) + (user == null ? "" : " (user " + user + ")");
  }

  private static String hide(String url) {
    return url == null ? null
        : PASSWORD_IN_AUTHORITY.matcher(PASSWORD_PARAM.matcher(url).replaceAll("$1***")).replaceAll("$1***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
