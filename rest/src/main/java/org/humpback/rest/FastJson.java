package org.humpback.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import org.humpback.rest.Views.ProcessingJobView;

/**
 * Serializers for the hot path of {@code GET /processing/jobs} (100 jobs, 200 timestamps per response). They write
 * byte for byte what Jackson's reflective bean serializer and jsr310's {@code InstantSerializer} write (a test
 * compares them) under {@link Json#MAPPER}'s settings (ISO text, not numeric timestamps; nulls written), only with
 * less work per value: no per-property reflection and no {@link DateTimeFormatter}.
 */
final class FastJson {

  private FastJson() {}

  static SimpleModule module() {
    SimpleModule module = new SimpleModule("humpback-fast-json");
    module.addSerializer(Instant.class, new InstantSerializer());
    module.addSerializer(ProcessingJobView.class, new ProcessingJobViewSerializer());
    return module;
  }

  /** {@link DateTimeFormatter#ISO_INSTANT}'s text: seconds always, fraction in groups of 3 digits as needed. */
  static String isoInstant(Instant instant) {
    long seconds = instant.getEpochSecond();
    // Years 0000-9999 print as four digits; others (signs, more digits) are left to the JDK.
    if (seconds < -62_167_219_200L || seconds > 253_402_300_799L) {
      return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    int nano = instant.getNano();
    StringBuilder b = new StringBuilder(30);
    pad(b, date.getYear(), 4).append('-');
    pad(b, date.getMonthValue(), 2).append('-');
    pad(b, date.getDayOfMonth(), 2).append('T');
    pad(b, secondOfDay / 3600, 2).append(':');
    pad(b, secondOfDay / 60 % 60, 2).append(':');
    pad(b, secondOfDay % 60, 2);
    if (nano != 0) {
      b.append('.');
      if (nano % 1_000_000 == 0) {
        pad(b, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        pad(b, nano / 1_000, 6);
      } else {
        pad(b, nano, 9);
      }
    }
    return b.append('Z').toString();
  }

  private static StringBuilder pad(StringBuilder b, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(digits);
  }

  static final class InstantSerializer extends StdSerializer<Instant> {
    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(isoInstant(value));
    }
  }

  /** Field for field the record's order and snake_case names; nulls written; JSON-text columns copied raw. */
  static final class ProcessingJobViewSerializer extends StdSerializer<ProcessingJobView> {
    ProcessingJobViewSerializer() {
      super(ProcessingJobView.class);
    }

    @Override
    public void serialize(ProcessingJobView v, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeStartObject(v);
      gen.writeStringField("id", v.id());
      gen.writeStringField("audio_file_id", v.audioFileId());
      gen.writeStringField("status", v.status());
      gen.writeStringField("encoding_signature", v.encodingSignature());
      gen.writeStringField("model_version", v.modelVersion());
      gen.writeFieldName("window_size_seconds");
      if (v.windowSizeSeconds() == null) {
        gen.writeNull();
      } else {
        gen.writeNumber(v.windowSizeSeconds());
      }
      gen.writeFieldName("target_sample_rate");
      if (v.targetSampleRate() == null) {
        gen.writeNull();
      } else {
        gen.writeNumber(v.targetSampleRate());
      }
      gen.writeFieldName("feature_config");
      if (v.featureConfig() == null) {
        gen.writeNull();
      } else {
        gen.writeRawValue(v.featureConfig());
      }
      gen.writeStringField("error_message", v.errorMessage());
      writeInstantField(gen, "created_at", v.createdAt());
      writeInstantField(gen, "updated_at", v.updatedAt());
      gen.writeBooleanField("skipped", v.skipped());
      gen.writeNumberField("progress", v.progress());
      gen.writeEndObject();
    }

    private static void writeInstantField(JsonGenerator gen, String name, Instant value) throws IOException {
      gen.writeFieldName(name);
      if (value == null) {
        gen.writeNull();
      } else {
        gen.writeString(isoInstant(value));
      }
    }
  }
}
