package org.humpback.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;

/** Real SQLite files for tests. */
public final class TestDatabases {
  private TestDatabases() {}

  public static Database open(Path dir) {
    return Database.open(dir.resolve("humpback.db").toString(), dir, 4, Duration.ofSeconds(10));
  }

  public static AudioFile audioFile(Database db, String sha) {
    AudioFile f = new AudioFile(Ids.newId(), sha + ".wav", "/recordings", sha, 60.0, 48000, 1, null, Timestamps.now());
    db.dao(AudioFileDao.class).insert(f);
    return f;
  }

  public static Instant t(String iso) {
    return Instant.parse(iso);
  }
}
