package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.humpback.rest.Views.ProcessingJobView;
import org.junit.jupiter.api.Test;

/** The fast serializers write exactly what Jackson's reflective ones write. */
class FastJsonTest {

  /** {@link Json#MAPPER}'s settings without {@link FastJson}: the reference output. */
  private static final ObjectMapper REFERENCE = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setSerializationInclusion(JsonInclude.Include.ALWAYS);

  @Test
  void instantsMatchIsoInstant() throws Exception {
    Random random = new Random(6);
    for (int i = 0; i < 5_000; i++) {
      long seconds = -62_167_219_200L - 86_400L * 400 + (long) (random.nextDouble() * 315_537_897_599L * 1.1);
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1_000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(seconds, nano);
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(t), FastJson.isoInstant(t), t::toString);
      assertEquals(REFERENCE.writeValueAsString(t), Json.MAPPER.writeValueAsString(t));
    }
    for (Instant t : List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999Z"),
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.MIN,
        Instant.MAX)) {
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(t), FastJson.isoInstant(t));
    }
  }

  @Test
  void processingJobViewMatchesTheBeanSerializer() throws Exception {
    List<ProcessingJobView> views = List.of(
        new ProcessingJobView("j1", "a1", "running", "sig", "perch", 5.0, 32000, "{\"n_mels\": 128, \"x\": [1,2]}",
            "boom \"quoted\" \u00e9\n", Instant.parse("2026-01-02T03:04:05.123456Z"),
            Instant.parse("2026-01-02T03:04:06Z"), true, 0.25),
        new ProcessingJobView("j2", null, "queued", null, null, null, null, null, null,
            Instant.parse("2026-01-02T03:04:05.100Z"), null, false, 0.0),
        new ProcessingJobView("j3", "a3", "complete", "s", "m", 0.1, 16000, "null", null,
            Instant.parse("2026-01-02T03:04:05.000000001Z"), Instant.parse("2026-01-02T03:04:05.5Z"), false, 1.0));
    for (ProcessingJobView v : views) {
      assertEquals(REFERENCE.writeValueAsString(v), Json.MAPPER.writeValueAsString(v));
    }
    assertEquals(REFERENCE.writeValueAsString(views), Json.MAPPER.writeValueAsString(views));
    assertEquals(REFERENCE.writeValueAsString(Map.of("job", views.get(1))),
        Json.MAPPER.writeValueAsString(Map.of("job", views.get(1))));
  }
}
