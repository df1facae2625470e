#pragma once

#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/store/file_record.h"
#include "migrations/migrations.h"

namespace gale::coordinator {

// What the SQL metadata stores (SQLite, PostgreSQL) share about their schema,
// which both sets of migrations define alike: column lists in the order the
// row readers expect, the tables, and the checks of a schema version.

inline constexpr std::string_view kNodeColumns =
    "id, addresses, zone, capacity_bytes, capabilities, version, registered_at_ms, state, "
    "last_heartbeat_ms, storage_used, storage_available, chunks_stored, bandwidth_up, "
    "bandwidth_down, cpu_usage, memory_usage, uptime_seconds";

// Of `files` (alias f), in the order the row readers expect; each store
// adds the chunk count after them (its own kChunkCount, or ", 0" in scans).
inline constexpr std::string_view kFileFields =
    "f.id, f.name, f.size, f.sha256, f.chunk_size, f.replication_factor, f.write_mode, "
    "f.state, f.overwrite, f.auto_commit, f.owner, f.created_at_ms, f.expires_at_ms, "
    "f.committed_at_ms, f.last_accessed_ms";

// Of `multipart_uploads` and `multipart_parts`, in the order their readers expect.
inline constexpr std::string_view kMultipartUploadColumns =
    "id, bucket, key, owner, content_type, metadata, tags, created_at_ms, expires_at_ms";
inline constexpr std::string_view kPartColumns =
    "upload_id, part_number, file_id, size, etag, modified_at_ms";

// Of `objects`, in the order ReadObject expects.
inline constexpr std::string_view kObjectColumns =
    "bucket, key, file_id, size, etag, content_type, metadata, tags, modified_at_ms";

inline constexpr std::array<std::string_view, 12> kTables = {
    "nodes",   "files",   "file_chunks",       "chunks",          "replicas",          "tasks",
    "buckets", "objects", "multipart_uploads", "multipart_parts", "schema_migrations", "s3_keys"};

// An object's metadata or tags as stored: a JSON object of strings.
std::string EncodeStringMap(const std::map<std::string, std::string>& values);
// INTERNAL for a stored value that is not such an object.
Result<std::map<std::string, std::string>> DecodeStringMap(std::string_view json);

// NOT_FOUND for a file, by id or by name, and for a chunk, as the stores say it.
Status NoSuchFile(std::string_view file_id);
Status NoFileNamed(std::string_view name);
Status NoSuchChunk(std::string_view chunk_id);

// NOT_FOUND for a bucket or an object, as both stores say it.
Status NoSuchBucket(std::string_view name);
Status NoSuchObject(std::string_view bucket, std::string_view key);
Status NoSuchUpload(std::string_view upload_id);

// OK when `file` may become an object's file: pending and nameless.
// FAILED_PRECONDITION otherwise.
Status CheckObjectFile(const FileRecord& file);

// The highest version of `migrations` (0 for none).
inline int LatestVersion(const std::vector<migrations::Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

// FAILED_PRECONDITION when `database` is at a version newer than `latest`.
Status CheckNotNewer(std::string_view database, int current, int latest);
// FAILED_PRECONDITION when `database` has a migration applied that
// `migrations` (this binary's) does not hold: a newer one, or one of a
// version this binary skips. Migrations missing below the highest applied
// one are fine: Migrate applies them (branches adding migrations may merge
// in any order).
Status CheckAppliedKnown(std::string_view database, const std::set<int>& applied,
                         const std::vector<migrations::Migration>& migrations);
// UNAVAILABLE unless every migration up to `latest` is applied.
Status CheckCurrent(int current, int latest);

// Of `s3_keys`, in the order the row readers expect.
inline constexpr std::string_view kS3KeyColumns =
    "access_key_id, secret_encrypted, owner, read_only, buckets, created_at_ms";

// An S3 key's buckets as stored: a JSON array of strings.
std::string EncodeStringList(const std::vector<std::string>& values);
// INTERNAL for a stored value that is not such an array.
Result<std::vector<std::string>> DecodeStringList(std::string_view json);

// A scan's cursor of two parts: "first:rest", where `first` holds no ':'.
std::string JoinCursor(std::string_view first, std::string_view rest);
// INVALID_ARGUMENT for a cursor that is not two such parts.
Result<std::pair<std::string, std::string>> SplitCursor(std::string_view cursor);
// The two integers of a cursor "a:b"; INVALID_ARGUMENT for anything else.
Result<std::pair<int64_t, int64_t>> SplitIntCursor(std::string_view cursor);

// NOT_FOUND for an S3 access key, as both stores say it.
Status NoSuchS3Key(std::string_view access_key_id);

}  // namespace gale::coordinator
