package org.humpback.registry.dao;

/** Life cycle of a queued job. Wire names are the seed's {@code status} values. */
public enum JobStatus {
  QUEUED("queued"),
  RUNNING("running"),
  COMPLETE("complete"),
  FAILED("failed"),
  CANCELED("canceled");

  private final String wireName;

  JobStatus(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Complete, failed and canceled jobs never change again. */
  public boolean isFinal() {
    return this == COMPLETE || this == FAILED || this == CANCELED;
  }

  public static JobStatus fromWireName(String name) {
    for (JobStatus s : values()) {
      if (s.wireName.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Invalid status: '" + name + "' (expected queued, running, complete, failed or canceled)");
  }
}
