package org.humpback.registry.dao;

import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code app_state} key/value table. */
public interface AppStateDao {

  @SqlQuery("SELECT value FROM app_state WHERE key = :key")
  Optional<String> get(@Bind("key") String key);

  @SqlUpdate("INSERT INTO app_state (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
  void put(@Bind("key") String key, @Bind("value") String value);

  /** Sets the key only when absent; 1 when this call set it, 0 when it was set (a once-only latch). */
  @SqlUpdate("INSERT INTO app_state (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING")
  int putIfAbsent(@Bind("key") String key, @Bind("value") String value);
}
