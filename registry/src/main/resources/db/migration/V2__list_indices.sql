-- Indices matching the list queries' ORDER BY exactly (created_at, then id as the tie-breaker), so a
-- page is read in index order and stops after LIMIT + OFFSET rows, instead of sorting the whole
-- table on every request (GET /processing/jobs with 1,000 jobs sorted 1,000 rows per call).

-- GET /processing/jobs and GET /clustering/jobs: ORDER BY created_at DESC, id.
CREATE INDEX processing_jobs_created ON processing_jobs (created_at DESC, id);
CREATE INDEX clustering_jobs_created ON clustering_jobs (created_at DESC, id);

-- GET /audio/ and GET /processing/embedding-sets: the same order; these replace the created_at-only
-- indices, which still left the id tie-breaker to a temporary B-tree.
DROP INDEX audio_files_created;
CREATE INDEX audio_files_created ON audio_files (created_at DESC, id);
DROP INDEX embedding_sets_created;
CREATE INDEX embedding_sets_created ON embedding_sets (created_at DESC, id);

-- Listing by status (and the worker's claim, which scans queued jobs oldest first) orders by
-- created_at, id: with id in the index no sort is left over.
DROP INDEX processing_jobs_claim;
CREATE INDEX processing_jobs_claim ON processing_jobs (status, created_at, id);
DROP INDEX clustering_jobs_claim;
CREATE INDEX clustering_jobs_claim ON clustering_jobs (status, created_at, id);
