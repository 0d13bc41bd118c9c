package org.humpback.rest;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.List;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobSummary;

/**
 * The JSON shapes of the API, field for field as the seed's (snake_case through {@link Json#MAPPER}). Kept apart from
 * the registry's records so a new column never changes what clients see by accident. JSON-text columns (validated by
 * the registry when written) are copied into the response as JSON values, without re-parsing each row.
 */
public final class Views {

  private Views() {}

  public record AudioFileView(
      String id, String filename, String folderPath, String checksumSha256, Double durationSeconds,
      Integer sampleRateOriginal, Instant createdAt, MetadataView metadata) {

    public static AudioFileView of(AudioFile f, AudioMetadata m) {
      // No folder is "" as the seed's clients expect, also for rows stored before folders were normalised.
      return new AudioFileView(f.id(), f.filename(), f.folderPath() == null ? "" : f.folderPath(), f.checksumSha256(),
          f.durationSeconds(),
          f.sampleRateOriginal(), f.createdAt(), m == null ? null : MetadataView.of(m));
    }
  }

  public record MetadataView(
      String id, String audioFileId, @JsonRawValue String tagData, @JsonRawValue String visualObservations,
      @JsonRawValue String groupComposition, @JsonRawValue String preyDensityProxy) {

    public static MetadataView of(AudioMetadata m) {
      return new MetadataView(m.id(), m.audioFileId(), m.tagData(), m.visualObservations(),
          m.groupComposition(), m.preyDensityProxy());
    }
  }

  public record ProcessingJobView(
      String id, String audioFileId, String status, String encodingSignature, String modelVersion,
      Double windowSizeSeconds, Integer targetSampleRate, @JsonRawValue String featureConfig, String errorMessage,
      Instant createdAt, Instant updatedAt, boolean skipped, double progress) {

    public static ProcessingJobView of(ProcessingJob j, ServerPaths paths) {
      return new ProcessingJobView(j.id(), j.audioFileId(), j.status().wireName(), j.encodingSignature(),
          j.modelVersion(), j.windowSizeSeconds(), j.targetSampleRate(), j.featureConfig(), paths.scrub(j.errorMessage()),
          j.createdAt(), j.updatedAt(), j.skipped(), j.progress());
    }

    /** The same view from the list query's narrower row. */
    public static ProcessingJobView of(ProcessingJobSummary j, ServerPaths paths) {
      return new ProcessingJobView(j.id(), j.audioFileId(), j.status().wireName(), j.encodingSignature(),
          j.modelVersion(), j.windowSizeSeconds(), j.targetSampleRate(), j.featureConfig(), paths.scrub(j.errorMessage()),
          j.createdAt(), j.updatedAt(), j.skipped(), j.progress());
    }
  }

  /** {@code parquet_path} is relative to the storage root. */
  public record EmbeddingSetView(
      String id, String audioFileId, String encodingSignature, String modelVersion, double windowSizeSeconds,
      int targetSampleRate, int vectorDim, String parquetPath, Long rowCount, Instant createdAt) {

    public static EmbeddingSetView of(EmbeddingSet s, ServerPaths paths) {
      return new EmbeddingSetView(s.id(), s.audioFileId(), s.encodingSignature(), s.modelVersion(),
          s.windowSizeSeconds(), s.targetSampleRate(), s.vectorDim(), paths.shown(s.parquetPath()), s.rowCount(),
          s.createdAt());
    }
  }

  public record ClusteringJobView(
      String id, String status, List<String> embeddingSetIds, @JsonRawValue String parameters, String errorMessage,
      Instant createdAt, Instant updatedAt, double progress, @JsonRawValue String metrics) {

    public static ClusteringJobView of(ClusteringJob j, ServerPaths paths) {
      return new ClusteringJobView(j.id(), j.status().wireName(), j.embeddingSetIdList(), j.parameters(),
          paths.scrub(j.errorMessage()), j.createdAt(), j.updatedAt(), j.progress(), j.metrics());
    }
  }

  public record ClusterView(
      String id, String clusteringJobId, int clusterLabel, int size, @JsonRawValue String metadataSummary) {

    public static ClusterView of(Cluster c) {
      return new ClusterView(c.id(), c.clusteringJobId(), c.clusterLabel(), c.size(), c.metadataSummary());
    }
  }

  public record AssignmentView(
      String id, String clusterId, String embeddingSetId, int embeddingRowIndex, Double startS, Double endS,
      Double umapX, Double umapY) {

    public static AssignmentView of(ClusterAssignment a) {
      return new AssignmentView(a.id(), a.clusterId(), a.embeddingSetId(), a.embeddingRowIndex(), a.startS(),
          a.endS(), a.umapX(), a.umapY());
    }
  }

  /** How a model is fed: what the seed calls its input spec. */
  public record InputSpec(
      Integer sampleRate, Double windowSeconds, String inputName, String outputName, String signatureName,
      boolean transposeSpectrogram, @JsonRawValue String frontEndConfig) {}

  /** {@code path} is relative to the models folder. */
  public record ModelView(
      String id, String name, String displayName, String path, int vectorDim, String description, boolean isDefault,
      String modelType, String inputFormat, Instant createdAt, InputSpec inputSpec) {

    public static ModelView of(ModelRecord m, ServerPaths paths) {
      return new ModelView(m.id(), m.name(), m.displayName(), paths.shown(m.path()), m.vectorDim(), m.description(), m.isDefault(),
          m.modelType(), m.inputFormat(), m.createdAt(),
          new InputSpec(m.sampleRate(), m.windowSeconds(), m.inputName(), m.outputName(), m.signatureName(),
              m.transposeSpectrogram(), m.frontEndConfig()));
    }
  }
}
