-- humpback schema, version 1, for PostgreSQL: the SQLite schema (db/sqlite/V1__initial_schema.sql) with
-- three dialect differences, everything else (names, checks, indices, the 0/1 flag columns) the same:
--   * DOUBLE PRECISION for SQLite's REAL (PostgreSQL's REAL has 4 bytes, SQLite's 8);
--   * BIGINT for the counts a Java long holds (PostgreSQL's INTEGER has 4 bytes, SQLite's up to 8);
--   * COLLATE "C" on text, so text compares byte-wise as in SQLite (the list orders and the fixed-width
--     timestamps' text order do not depend on the server's locale).
-- Ids are string UUIDs; timestamps are ISO-8601 UTC text (yyyy-MM-ddTHH:mm:ss.SSSSSSZ); JSON columns hold
-- JSON text. Later migrations are shared by both databases (db/migration) and must be portable SQL.

CREATE TABLE models (
    id                    TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name                  TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name          TEXT COLLATE "C" NOT NULL,
    path                  TEXT COLLATE "C" NOT NULL,
    vector_dim            INTEGER NOT NULL CHECK (vector_dim > 0),
    description           TEXT COLLATE "C",
    is_default            INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    model_type            TEXT COLLATE "C" NOT NULL CHECK (model_type IN ('tflite', 'tf2_saved_model', 'onnx')),
    input_format          TEXT COLLATE "C" NOT NULL CHECK (input_format IN ('spectrogram', 'waveform')),
    sample_rate           INTEGER CHECK (sample_rate IS NULL OR sample_rate > 0),
    window_seconds        DOUBLE PRECISION CHECK (window_seconds IS NULL OR window_seconds > 0),
    front_end_config      TEXT COLLATE "C",
    input_name            TEXT COLLATE "C",
    output_name           TEXT COLLATE "C",
    signature_name        TEXT COLLATE "C",
    transpose_spectrogram INTEGER NOT NULL DEFAULT 0 CHECK (transpose_spectrogram IN (0, 1)),
    model_sha256          TEXT COLLATE "C",
    created_at            TEXT COLLATE "C" NOT NULL,
    updated_at            TEXT COLLATE "C" NOT NULL
);
-- At most one default model; ModelRegistry.setDefault swaps it inside one transaction.
CREATE UNIQUE INDEX models_single_default ON models (is_default) WHERE is_default = 1;

CREATE TABLE audio_files (
    id                   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    filename             TEXT COLLATE "C" NOT NULL,
    folder_path          TEXT COLLATE "C",
    checksum_sha256      TEXT COLLATE "C" NOT NULL UNIQUE,
    duration_seconds     DOUBLE PRECISION,
    sample_rate_original INTEGER,
    channels             INTEGER,
    stored_path          TEXT COLLATE "C",
    created_at           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audio_files_created ON audio_files (created_at);
CREATE INDEX audio_files_folder ON audio_files (folder_path);

CREATE TABLE audio_metadata (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    audio_file_id       TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES audio_files (id) ON DELETE CASCADE,
    tag_data            TEXT COLLATE "C",
    visual_observations TEXT COLLATE "C",
    group_composition   TEXT COLLATE "C",
    prey_density_proxy  TEXT COLLATE "C"
);

CREATE TABLE processing_jobs (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    audio_file_id       TEXT COLLATE "C" REFERENCES audio_files (id) ON DELETE CASCADE,
    status              TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued', 'running', 'complete', 'failed', 'canceled')),
    encoding_signature  TEXT COLLATE "C",
    model_version       TEXT COLLATE "C",
    window_size_seconds DOUBLE PRECISION,
    target_sample_rate  INTEGER,
    feature_config      TEXT COLLATE "C",
    error_message       TEXT COLLATE "C",
    created_at          TEXT COLLATE "C" NOT NULL,
    updated_at          TEXT COLLATE "C" NOT NULL,
    skipped             INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    progress            DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    windows_done        BIGINT NOT NULL DEFAULT 0,
    windows_total       BIGINT,
    windows_per_second  DOUBLE PRECISION,
    attempts            INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    worker_id           TEXT COLLATE "C",
    heartbeat_at        TEXT COLLATE "C",
    started_at          TEXT COLLATE "C",
    finished_at         TEXT COLLATE "C",
    cancel_requested    INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);
-- The claim scans queued jobs oldest first and probes running jobs by signature; the stale sweep
-- scans running jobs by heartbeat.
CREATE INDEX processing_jobs_claim ON processing_jobs (status, created_at);
CREATE INDEX processing_jobs_signature ON processing_jobs (encoding_signature, status);
CREATE INDEX processing_jobs_heartbeat ON processing_jobs (status, heartbeat_at);
CREATE INDEX processing_jobs_audio ON processing_jobs (audio_file_id);

CREATE TABLE embedding_sets (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    audio_file_id       TEXT COLLATE "C" NOT NULL REFERENCES audio_files (id) ON DELETE CASCADE,
    encoding_signature  TEXT COLLATE "C" NOT NULL,
    model_version       TEXT COLLATE "C" NOT NULL,
    window_size_seconds DOUBLE PRECISION NOT NULL,
    target_sample_rate  INTEGER NOT NULL,
    vector_dim          INTEGER NOT NULL CHECK (vector_dim > 0),
    parquet_path        TEXT COLLATE "C" NOT NULL,
    row_count           BIGINT,
    created_at          TEXT COLLATE "C" NOT NULL,
    UNIQUE (audio_file_id, encoding_signature)
);
CREATE INDEX embedding_sets_model ON embedding_sets (model_version);
CREATE INDEX embedding_sets_created ON embedding_sets (created_at);

CREATE TABLE clustering_jobs (
    id                 TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    status             TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued', 'running', 'complete', 'failed', 'canceled')),
    embedding_set_ids  TEXT COLLATE "C" NOT NULL,
    parameters         TEXT COLLATE "C",
    error_message      TEXT COLLATE "C",
    metrics            TEXT COLLATE "C",
    -- Jobs sharing a concurrency key never run at the same time (null = no restriction).
    concurrency_key    TEXT COLLATE "C",
    created_at         TEXT COLLATE "C" NOT NULL,
    updated_at         TEXT COLLATE "C" NOT NULL,
    progress           DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    windows_done       BIGINT NOT NULL DEFAULT 0,
    windows_total      BIGINT,
    windows_per_second DOUBLE PRECISION,
    attempts           INTEGER NOT NULL DEFAULT 0,
    max_attempts       INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    worker_id          TEXT COLLATE "C",
    heartbeat_at       TEXT COLLATE "C",
    started_at         TEXT COLLATE "C",
    finished_at        TEXT COLLATE "C",
    cancel_requested   INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);
CREATE INDEX clustering_jobs_claim ON clustering_jobs (status, created_at);
CREATE INDEX clustering_jobs_key ON clustering_jobs (concurrency_key, status);
CREATE INDEX clustering_jobs_heartbeat ON clustering_jobs (status, heartbeat_at);

CREATE TABLE clusters (
    id                TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clustering_job_id TEXT COLLATE "C" NOT NULL REFERENCES clustering_jobs (id) ON DELETE CASCADE,
    cluster_label     INTEGER NOT NULL,
    size              INTEGER NOT NULL,
    metadata_summary  TEXT COLLATE "C",
    UNIQUE (clustering_job_id, cluster_label)
);

CREATE TABLE cluster_assignments (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    cluster_id          TEXT COLLATE "C" NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    embedding_set_id    TEXT COLLATE "C" NOT NULL REFERENCES embedding_sets (id) ON DELETE CASCADE,
    embedding_row_index INTEGER NOT NULL,
    start_s             DOUBLE PRECISION,
    end_s               DOUBLE PRECISION,
    umap_x              DOUBLE PRECISION,
    umap_y              DOUBLE PRECISION
);
CREATE INDEX cluster_assignments_cluster ON cluster_assignments (cluster_id, embedding_set_id, embedding_row_index);
CREATE INDEX cluster_assignments_set ON cluster_assignments (embedding_set_id);

-- Small facts about this installation, e.g. whether the default model was seeded once.
CREATE TABLE app_state (
    key   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value TEXT COLLATE "C"
);

-- The claim (JobQueueDao.claim) skips a queued job whose key a running job holds. In SQLite the claim runs
-- under the one write lock; here two claims run at once (FOR UPDATE SKIP LOCKED) and could each take a job of
-- the same key, so the database refuses the second (JobQueue.claim then tries again and skips it).
CREATE UNIQUE INDEX processing_jobs_one_running ON processing_jobs (audio_file_id, encoding_signature)
    WHERE status = 'running';
CREATE UNIQUE INDEX clustering_jobs_one_running ON clustering_jobs (concurrency_key) WHERE status = 'running';
