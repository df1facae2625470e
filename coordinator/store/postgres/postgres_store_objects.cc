// PostgresStore: buckets and objects (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<BucketRecord> ReadBucket(const pqxx::row& row) {
  return BucketRecord{row[0].as<std::string>(), row[1].as<std::string>(),
                      absl::FromUnixMillis(row[2].as<int64_t>())};
}

Result<ObjectRecord> ReadObject(const pqxx::row& row) {
  ObjectRecord o;
  o.bucket = row[0].as<std::string>();
  o.key = row[1].as<std::string>();
  o.file_id = row[2].as<std::string>();
  o.size = row[3].as<int64_t>();
  o.etag = row[4].as<std::string>();
  o.content_type = row[5].as<std::string>();
  ASSIGN_OR_RETURN(o.metadata, DecodeStringMap(row[6].as<std::string>()));
  ASSIGN_OR_RETURN(o.tags, DecodeStringMap(row[7].as<std::string>()));
  o.modified_at = absl::FromUnixMillis(row[8].as<int64_t>());
  return o;
}

}  // namespace

Status PostgresStore::InsertBucket(const BucketRecord& bucket) {
  return pool_->Run("InsertBucket", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t inserted,
                     tx.Change("INSERT INTO buckets (name, owner, created_at_ms) VALUES ($1, $2, "
                               "$3) ON CONFLICT DO NOTHING",
                               bucket.name, bucket.owner, absl::ToUnixMillis(bucket.created_at)));
    if (inserted == 0) {
      return absl::AlreadyExistsError(
          StrCat("bucket '", EscapeForMessage(bucket.name), "' already exists"));
    }
    return absl::OkStatus();
  });
}

Result<BucketRecord> PostgresStore::GetBucket(std::string_view name) {
  if (!IsPgText(name)) return NoSuchBucket(name);
  return pool_->Run(
      "GetBucket", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<BucketRecord> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT name, owner, created_at_ms FROM buckets "
                                                 "WHERE name = $1",
                                                 name));
        if (r.empty()) return NoSuchBucket(name);
        return ReadBucket(r[0]);
      });
}

Result<std::vector<BucketRecord>> PostgresStore::ListBuckets() {
  return pool_->Run("ListBuckets", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<BucketRecord>> {
                      ASSIGN_OR_RETURN(
                          pqxx::result r,
                          tx.Exec("SELECT name, owner, created_at_ms FROM buckets ORDER BY name"));
                      return ReadRows(r, &ReadBucket);
                    });
}

Status PostgresStore::DeleteBucket(std::string_view name, absl::Time now) {
  if (!IsPgText(name)) return NoSuchBucket(name);
  return pool_->Run("DeleteBucket", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(pqxx::result used,
                     tx.Exec("SELECT 1 FROM objects WHERE bucket = $1 LIMIT 1", name));
    if (!used.empty()) {
      return absl::FailedPreconditionError(
          StrCat("bucket '", EscapeForMessage(name), "' is not empty"));
    }
    ASSIGN_OR_RETURN(pqxx::result uploads,
                     tx.Exec("SELECT id FROM multipart_uploads WHERE bucket = $1", name));
    for (const auto& row : uploads) {
      RETURN_IF_ERROR(DeleteMultipartUploadIn(tx, row[0].as<std::string>(), now));
    }
    ASSIGN_OR_RETURN(int64_t deleted, tx.Change("DELETE FROM buckets WHERE name = $1", name));
    return deleted == 0 ? NoSuchBucket(name) : absl::OkStatus();
  });
}

Result<std::string> PostgresStore::CommitObject(const ObjectRecord& object, std::string_view sha256,
                                                absl::Time now) {
  return pool_->Run("CommitObject", PgIsolation::kSerializable,
                    [&](PgTx& tx) { return CommitObjectIn(tx, object, sha256, now); });
}

Result<std::string> PostgresStore::CommitObjectIn(PgTx& tx, const ObjectRecord& object,
                                                  std::string_view sha256, absl::Time now) {
  if (!IsPgText(object.bucket)) return NoSuchBucket(object.bucket);
  ASSIGN_OR_RETURN(pqxx::result bucket,
                   tx.Exec("SELECT 1 FROM buckets WHERE name = $1", object.bucket));
  if (bucket.empty()) return NoSuchBucket(object.bucket);
  ASSIGN_OR_RETURN(FileRecord file, GetFileIn(tx, object.file_id));
  RETURN_IF_ERROR(CheckObjectFile(file));
  ASSIGN_OR_RETURN(pqxx::result old,
                   tx.Exec("SELECT file_id FROM objects WHERE bucket = $1 AND key = $2",
                           object.bucket, object.key));
  std::string replaced;
  if (!old.empty()) {
    replaced = old[0][0].as<std::string>();
    RETURN_IF_ERROR(DeleteFileIn(tx, replaced, now));
  }
  RETURN_IF_ERROR(MarkCommittedIn(tx, object.file_id, object.size, sha256, now));
  RETURN_IF_ERROR(
      tx.Exec(StrCat("INSERT INTO objects (", kObjectColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (bucket, "
                     "key) DO UPDATE SET file_id = excluded.file_id, size = excluded.size, "
                     "etag = excluded.etag, content_type = excluded.content_type, "
                     "metadata = excluded.metadata, tags = excluded.tags, "
                     "modified_at_ms = excluded.modified_at_ms"),
              object.bucket, object.key, object.file_id, object.size, object.etag,
              object.content_type, EncodeStringMap(object.metadata), EncodeStringMap(object.tags),
              absl::ToUnixMillis(now))
          .status());
  return replaced;
}

Result<ObjectRecord> PostgresStore::GetObject(std::string_view bucket, std::string_view key) {
  if (!IsPgText(bucket) || !IsPgText(key)) return NoSuchObject(bucket, key);
  return pool_->Run(
      "GetObject", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<ObjectRecord> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kObjectColumns,
                                                        " FROM objects WHERE bucket = $1 AND "
                                                        "key = $2"),
                                                 bucket, key));
        if (r.empty()) return NoSuchObject(bucket, key);
        return ReadObject(r[0]);
      });
}

Result<std::vector<ObjectRecord>> PostgresStore::ListObjects(const ObjectListQuery& q) {
  // Keys are valid UTF-8 without NUL: nothing else can be in the table.
  if (!IsPgText(q.bucket) || !IsPgText(q.prefix) || !IsPgText(q.start)) {
    return std::vector<ObjectRecord>();
  }
  return pool_->Run("ListObjects", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<ObjectRecord>> {
                      const std::optional<std::string> end = Utf8PrefixEnd(q.prefix);
                      ASSIGN_OR_RETURN(
                          pqxx::result r,
                          tx.Exec(StrCat("SELECT ", kObjectColumns,
                                         " FROM objects WHERE bucket = $1 AND key >= $2 AND "
                                         "($3::text IS NULL OR key < $3) AND key >= $4 ORDER BY "
                                         "key LIMIT $5"),
                                  q.bucket, q.prefix, end, q.start, PgLimit(q.limit)));
                      return ReadRows(r, &ReadObject);
                    });
}

Status PostgresStore::DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) {
  if (!IsPgText(bucket) || !IsPgText(key)) return NoSuchObject(bucket, key);
  return pool_->Run("DeleteObject", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(pqxx::result r,
                     tx.Exec("DELETE FROM objects WHERE bucket = $1 AND key = $2 RETURNING file_id",
                             bucket, key));
    if (r.empty()) return NoSuchObject(bucket, key);
    return DeleteFileIn(tx, r[0][0].as<std::string>(), now);
  });
}

Status PostgresStore::SetObjectTags(std::string_view bucket, std::string_view key,
                                    const std::map<std::string, std::string>& tags) {
  if (!IsPgText(bucket) || !IsPgText(key)) return NoSuchObject(bucket, key);
  return pool_->Run("SetObjectTags", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t changed,
                     tx.Change("UPDATE objects SET tags = $1 WHERE bucket = $2 AND key = $3",
                               EncodeStringMap(tags), bucket, key));
    return changed == 0 ? NoSuchObject(bucket, key) : absl::OkStatus();
  });
}

}  // namespace gale::coordinator
