package org.humpback.registry.dao;

import java.time.Instant;

/**
 * One imported recording (a row of {@code audio_files}); the checksum identifies it, so importing
 * the same bytes twice finds the first row.
 */
public record AudioFile(
    String id,
    String filename,
    String folderPath,
    String checksumSha256,
    Double durationSeconds,
    Integer sampleRateOriginal,
    Integer channels,
    String storedPath,
    Instant createdAt) {}
