package org.humpback.registry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HumpbackSettingsTest {

  @Test
  void defaults() {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.of(), Path.of("/work/app"));
    assertEquals(Path.of("/work/app"), s.home());
    assertEquals(Path.of("/work/app/data"), s.storageRoot());
    assertEquals("jdbc:sqlite:/work/app/data/humpback.db", s.databaseUrl());
    assertEquals(Path.of("/work/app/models"), s.modelsDir());
    assertEquals(5.0, s.windowSizeSeconds());
    assertEquals(32000, s.targetSampleRate());
    assertNull(s.vectorDim());
    assertNull(s.modelPath());
    assertEquals("127.0.0.1", s.host());
    assertEquals(8000, s.port());
    assertNull(s.apiToken());
    assertEquals("direct", s.runner());
    assertEquals("[local]", s.flinkMaster());
    assertEquals(List.of(), s.allowedModelRoots());
  }

  @Test
  void readsEveryVariable() {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.ofEntries(
        Map.entry("HUMPBACK_HOME", "/opt/hb"),
        Map.entry("HUMPBACK_DATABASE_URL", "sqlite+aiosqlite:///data/humpback.db"),
        Map.entry("HUMPBACK_STORAGE_ROOT", "store"),
        Map.entry("HUMPBACK_MODELS_DIR", "/srv/models"),
        Map.entry("HUMPBACK_WINDOW_SIZE_SECONDS", "3.92"),
        Map.entry("HUMPBACK_TARGET_SAMPLE_RATE", "10000"),
        Map.entry("HUMPBACK_VECTOR_DIM", "1280"),
        Map.entry("HUMPBACK_MODEL_PATH", "perch.tflite"),
        Map.entry("HUMPBACK_HOST", "0.0.0.0"),
        Map.entry("HUMPBACK_PORT", "9000"),
        Map.entry("HUMPBACK_API_TOKEN", "s3cret"),
        Map.entry("HUMPBACK_RUNNER", "FLINK"),
        Map.entry("HUMPBACK_FLINK_MASTER", "jobmanager:8081"),
        Map.entry("HUMPBACK_MAX_UPLOAD_MB", "512"),
        Map.entry("HUMPBACK_ALLOWED_MODEL_ROOTS", "/mnt/a:/mnt/b, rel")), Path.of("/ignored"));
    assertEquals(Path.of("/opt/hb"), s.home());
    assertEquals("sqlite+aiosqlite:///data/humpback.db", s.databaseUrl());
    assertEquals(Path.of("/opt/hb/store"), s.storageRoot());
    assertEquals(Path.of("/srv/models"), s.modelsDir());
    assertEquals(3.92, s.windowSizeSeconds());
    assertEquals(10000, s.targetSampleRate());
    assertEquals(1280, s.vectorDim());
    assertEquals("perch.tflite", s.modelPath());
    assertEquals("0.0.0.0", s.host());
    assertEquals(9000, s.port());
    assertEquals("s3cret", s.apiToken());
    assertEquals("flink", s.runner());
    assertEquals("jobmanager:8081", s.flinkMaster());
    assertEquals(512, s.maxUploadMb());
    assertEquals(List.of(Path.of("/mnt/a"), Path.of("/mnt/b"), Path.of("/opt/hb/rel")), s.allowedModelRoots());
    assertFalse(s.toString().contains("s3cret"));
  }

  @Test
  void badValuesNameTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HumpbackSettings.fromEnv(Map.of("HUMPBACK_PORT", "eighty"), Path.of("/x")));
    assertEquals("Invalid HUMPBACK_PORT: 'eighty' (expected an integer)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> HumpbackSettings.fromEnv(Map.of("HUMPBACK_RUNNER", "spark"), Path.of("/x")));
    assertTrue(e.getMessage().startsWith("Invalid HUMPBACK_RUNNER: 'spark'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> HumpbackSettings.fromEnv(Map.of("HUMPBACK_WINDOW_SIZE_SECONDS", "-1"), Path.of("/x")));
    assertTrue(e.getMessage().startsWith("Invalid HUMPBACK_WINDOW_SIZE_SECONDS: -1.0"), e.getMessage());
  }
}
