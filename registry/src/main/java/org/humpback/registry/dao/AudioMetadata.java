package org.humpback.registry.dao;

import org.humpback.registry.db.Json;

/**
 * Field observations attached to one audio file (a row of {@code audio_metadata}). Each field is
 * JSON text, or {@code null} when not recorded.
 */
public record AudioMetadata(
    String id,
    String audioFileId,
    String tagData,
    String visualObservations,
    String groupComposition,
    String preyDensityProxy) {

  public AudioMetadata {
    Json.requireValid("tag_data", tagData);
    Json.requireValid("visual_observations", visualObservations);
    Json.requireValid("group_composition", groupComposition);
    Json.requireValid("prey_density_proxy", preyDensityProxy);
  }
}
