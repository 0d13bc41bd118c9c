package org.humpback.registry.dao;

import java.util.UUID;

/** Row ids: random UUIDs as text, like the seed's. */
public final class Ids {
  private Ids() {}

  public static String newId() {
    return UUID.randomUUID().toString();
  }
}
