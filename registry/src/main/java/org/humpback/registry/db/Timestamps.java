package org.humpback.registry.db;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Instants as stored: ISO-8601 UTC with exactly six fraction digits, so that comparing the text
 * (as SQL does for heartbeats and ordering) is comparing the times.
 */
public final class Timestamps {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** Now, cut to microseconds (what the column keeps). */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  public static String format(Instant instant) {
    return instant == null ? null : FORMAT.format(instant);
  }

  /** Parses stored text; also accepts any ISO-8601 instant (e.g. from the seed's database). */
  public static Instant parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Instant stored = parseStored(text);
    if (stored != null) {
      return stored;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      // The seed (SQLAlchemy) wrote "2024-01-02 03:04:05.123456" without a zone: it is UTC.
      try {
        return Instant.parse(text.trim().replace(' ', 'T') + "Z");
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("Invalid timestamp in database: '" + text + "'", e);
      }
    }
  }

  /**
   * The column's own form ({@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}) read by hand: {@link Instant#parse} costs a few
   * microseconds, and a list of 100 jobs reads 500 timestamps. Anything else (other forms, out-of-range fields, leap
   * seconds) returns null and goes through {@link Instant#parse}, so results are the same either way.
   */
  private static Instant parseStored(String t) {
    if (t.length() != 27 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
        || t.charAt(16) != ':' || t.charAt(19) != '.' || t.charAt(26) != 'Z') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    int micros = digits(t, 20, 26);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || micros < 0 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, micros * 1_000L);
  }

  /** The decimal number in {@code t[from, to)}, or -1 when any character there is not an ASCII digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = t.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
