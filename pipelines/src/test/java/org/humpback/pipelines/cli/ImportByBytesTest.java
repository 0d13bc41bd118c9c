package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line imports as an upload does: audio is told by its first bytes, not its name (issue 13 item 5). A
 * folder's recording named {@code .dat} is found and stored as {@code original.wav}; notes named {@code .wav} are left
 * out of a folder walk, and refused, with nothing stored, when named on the command line.
 */
class ImportByBytesTest {

  @TempDir Path dir;

  @Test
  void folderWalkAndImportDecideByBytes() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("recordings"));
    Path call = Files.write(folder.resolve("call.dat"), wav(8000, 4000));
    Path notes = Files.writeString(folder.resolve("notes.wav"), "hydrophone 2 was loose on day 3");
    List<Path> found = EncodeFlow.expand(List.of(folder)).stream().map(f -> f[0]).toList();
    assertEquals(List.of(call), found);

    try (Database db = TestDatabases.open(dir)) {
      AudioImport importer = new AudioImport(db, dir.resolve("data"));
      AudioImport.Imported first = importer.importFile(call, folder.toString());
      assertTrue(first.isNew());
      assertTrue(first.file().storedPath().endsWith("original.wav"), first.file().storedPath());
      assertEquals(0.5, first.file().durationSeconds(), 1e-3);
      AudioImport.Imported again = importer.importFile(call, folder.toString());
      assertFalse(again.isNew());
      assertEquals(first.file().id(), again.file().id());

      Refusal refused = assertThrows(Refusal.class, () -> importer.importFile(notes, folder.toString()));
      assertEquals(Refusal.Kind.UNSUPPORTED_MEDIA, refused.kind());
      assertTrue(refused.getMessage().contains("not a WAV, MP3, FLAC"), refused.getMessage());
      assertEquals(1, db.dao(AudioFileDao.class).list(10, 0).size(), "the refused file left no row");
      try (var raw = Files.list(dir.resolve("data/audio/raw"))) {
        assertEquals(1, raw.count(), "and no stored copy");
      }
    }
  }

  /** A PCM16 mono WAV of a 440-Hz tone. */
  private static byte[] wav(int rate, int frames) {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * frames).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * frames).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate)
        .putInt(2 * rate).putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * frames);
    for (int i = 0; i < frames; i++) {
      b.putShort((short) Math.round(0.3 * 32767 * Math.sin(2 * Math.PI * 440 * i / rate)));
    }
    return b.array();
  }
}
