-- humpback schema, version 1. Ids are string UUIDs; timestamps are ISO-8601 UTC text with a fixed
-- number of fraction digits (yyyy-MM-ddTHH:mm:ss.SSSSSSZ) so text order is time order.
-- JSON columns hold JSON text.

CREATE TABLE models (
    id                    TEXT PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    path                  TEXT NOT NULL,
    vector_dim            INTEGER NOT NULL CHECK (vector_dim > 0),
    description           TEXT,
    is_default            INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    model_type            TEXT NOT NULL CHECK (model_type IN ('tflite', 'tf2_saved_model', 'onnx')),
    input_format          TEXT NOT NULL CHECK (input_format IN ('spectrogram', 'waveform')),
    sample_rate           INTEGER CHECK (sample_rate IS NULL OR sample_rate > 0),
    window_seconds        REAL CHECK (window_seconds IS NULL OR window_seconds > 0),
    front_end_config      TEXT,
    input_name            TEXT,
    output_name           TEXT,
    signature_name        TEXT,
    transpose_spectrogram INTEGER NOT NULL DEFAULT 0 CHECK (transpose_spectrogram IN (0, 1)),
    model_sha256          TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
-- At most one default model; ModelRegistry.setDefault swaps it inside one transaction.
CREATE UNIQUE INDEX models_single_default ON models (is_default) WHERE is_default = 1;

CREATE TABLE audio_files (
    id                   TEXT PRIMARY KEY NOT NULL,
    filename             TEXT NOT NULL,
    folder_path          TEXT,
    checksum_sha256      TEXT NOT NULL UNIQUE,
    duration_seconds     REAL,
    sample_rate_original INTEGER,
    channels             INTEGER,
    stored_path          TEXT,
    created_at           TEXT NOT NULL
);
CREATE INDEX audio_files_created ON audio_files (created_at);
CREATE INDEX audio_files_folder ON audio_files (folder_path);

CREATE TABLE audio_metadata (
    id                  TEXT PRIMARY KEY NOT NULL,
    audio_file_id       TEXT NOT NULL UNIQUE REFERENCES audio_files (id) ON DELETE CASCADE,
    tag_data            TEXT,
    visual_observations TEXT,
    group_composition   TEXT,
    prey_density_proxy  TEXT
);

CREATE TABLE processing_jobs (
    id                  TEXT PRIMARY KEY NOT NULL,
    audio_file_id       TEXT REFERENCES audio_files (id) ON DELETE CASCADE,
    status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'complete', 'failed', 'canceled')),
    encoding_signature  TEXT,
    model_version       TEXT,
    window_size_seconds REAL,
    target_sample_rate  INTEGER,
    feature_config      TEXT,
    error_message       TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    skipped             INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    progress            REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    windows_done        INTEGER NOT NULL DEFAULT 0,
    windows_total       INTEGER,
    windows_per_second  REAL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    worker_id           TEXT,
    heartbeat_at        TEXT,
    started_at          TEXT,
    finished_at         TEXT,
    cancel_requested    INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);
-- The claim scans queued jobs oldest first and probes running jobs by signature; the stale sweep
-- scans running jobs by heartbeat.
CREATE INDEX processing_jobs_claim ON processing_jobs (status, created_at);
CREATE INDEX processing_jobs_signature ON processing_jobs (encoding_signature, status);
CREATE INDEX processing_jobs_heartbeat ON processing_jobs (status, heartbeat_at);
CREATE INDEX processing_jobs_audio ON processing_jobs (audio_file_id);

CREATE TABLE embedding_sets (
    id                  TEXT PRIMARY KEY NOT NULL,
    audio_file_id       TEXT NOT NULL REFERENCES audio_files (id) ON DELETE CASCADE,
    encoding_signature  TEXT NOT NULL,
    model_version       TEXT NOT NULL,
    window_size_seconds REAL NOT NULL,
    target_sample_rate  INTEGER NOT NULL,
    vector_dim          INTEGER NOT NULL CHECK (vector_dim > 0),
    parquet_path        TEXT NOT NULL,
    row_count           INTEGER,
    created_at          TEXT NOT NULL,
    UNIQUE (audio_file_id, encoding_signature)
);
CREATE INDEX embedding_sets_model ON embedding_sets (model_version);
CREATE INDEX embedding_sets_created ON embedding_sets (created_at);

CREATE TABLE clustering_jobs (
    id                 TEXT PRIMARY KEY NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'complete', 'failed', 'canceled')),
    embedding_set_ids  TEXT NOT NULL,
    parameters         TEXT,
    error_message      TEXT,
    metrics            TEXT,
    -- Jobs sharing a concurrency key never run at the same time (null = no restriction).
    concurrency_key    TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    progress           REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    windows_done       INTEGER NOT NULL DEFAULT 0,
    windows_total      INTEGER,
    windows_per_second REAL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    max_attempts       INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    worker_id          TEXT,
    heartbeat_at       TEXT,
    started_at         TEXT,
    finished_at        TEXT,
    cancel_requested   INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);
CREATE INDEX clustering_jobs_claim ON clustering_jobs (status, created_at);
CREATE INDEX clustering_jobs_key ON clustering_jobs (concurrency_key, status);
CREATE INDEX clustering_jobs_heartbeat ON clustering_jobs (status, heartbeat_at);

CREATE TABLE clusters (
    id                TEXT PRIMARY KEY NOT NULL,
    clustering_job_id TEXT NOT NULL REFERENCES clustering_jobs (id) ON DELETE CASCADE,
    cluster_label     INTEGER NOT NULL,
    size              INTEGER NOT NULL,
    metadata_summary  TEXT,
    UNIQUE (clustering_job_id, cluster_label)
);

CREATE TABLE cluster_assignments (
    id                  TEXT PRIMARY KEY NOT NULL,
    cluster_id          TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    embedding_set_id    TEXT NOT NULL REFERENCES embedding_sets (id) ON DELETE CASCADE,
    embedding_row_index INTEGER NOT NULL,
    start_s             REAL,
    end_s               REAL,
    umap_x              REAL,
    umap_y              REAL
);
CREATE INDEX cluster_assignments_cluster ON cluster_assignments (cluster_id, embedding_set_id, embedding_row_index);
CREATE INDEX cluster_assignments_set ON cluster_assignments (embedding_set_id);

-- Small facts about this installation, e.g. whether the default model was seeded once.
CREATE TABLE app_state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT
);
