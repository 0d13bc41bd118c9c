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
}
