// PostgresStore: multipart uploads and their parts (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<MultipartUploadRecord> ReadUpload(const pqxx::row& row) {
  MultipartUploadRecord u;
  u.id = row[0].as<std::string>();
  u.bucket = row[1].as<std::string>();
  u.key = row[2].as<std::string>();
  u.owner = row[3].as<std::string>();
  u.content_type = row[4].as<std::string>();
  ASSIGN_OR_RETURN(u.metadata, DecodeStringMap(row[5].as<std::string>()));
  ASSIGN_OR_RETURN(u.tags, DecodeStringMap(row[6].as<std::string>()));
  u.created_at = absl::FromUnixMillis(row[7].as<int64_t>());
  u.expires_at = absl::FromUnixMillis(row[8].as<int64_t>());
  return u;
}

Result<PartRecord> ReadPart(const pqxx::row& row) {
  return PartRecord{row[0].as<std::string>(), row[1].as<int>(),
                    row[2].as<std::string>(), row[3].as<int64_t>(),
                    row[4].as<std::string>(), absl::FromUnixMillis(row[5].as<int64_t>())};
}

Status CheckUploadIn(PgTx& tx, std::string_view upload_id) {
  ASSIGN_OR_RETURN(pqxx::result r,
                   tx.Exec("SELECT 1 FROM multipart_uploads WHERE id = $1", upload_id));
  return r.empty() ? NoSuchUpload(upload_id) : absl::OkStatus();
}

}  // namespace

Status PostgresStore::InsertMultipartUpload(const MultipartUploadRecord& upload) {
  if (!IsPgText(upload.bucket)) return NoSuchBucket(upload.bucket);
  return pool_->Run("InsertMultipartUpload", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(pqxx::result bucket,
                     tx.Exec("SELECT 1 FROM buckets WHERE name = $1", upload.bucket));
    if (bucket.empty()) return NoSuchBucket(upload.bucket);
    return tx
        .Exec(StrCat("INSERT INTO multipart_uploads (", kMultipartUploadColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
              upload.id, upload.bucket, upload.key, upload.owner, upload.content_type,
              EncodeStringMap(upload.metadata), EncodeStringMap(upload.tags),
              absl::ToUnixMillis(upload.created_at), absl::ToUnixMillis(upload.expires_at))
        .status();
  });
}

Result<MultipartUploadRecord> PostgresStore::GetMultipartUpload(std::string_view upload_id) {
  if (!IsPgText(upload_id)) return NoSuchUpload(upload_id);
  return pool_->Run("GetMultipartUpload", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<MultipartUploadRecord> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec(StrCat("SELECT ", kMultipartUploadColumns,
                                                      " FROM multipart_uploads WHERE id = $1"),
                                               upload_id));
                      if (r.empty()) return NoSuchUpload(upload_id);
                      return ReadUpload(r[0]);
                    });
}

Result<std::vector<MultipartUploadRecord>> PostgresStore::ListMultipartUploads(
    const MultipartUploadQuery& q) {
  if (!IsPgText(q.bucket) || !IsPgText(q.prefix) || !IsPgText(q.after_key) ||
      !IsPgText(q.after_id)) {
    return std::vector<MultipartUploadRecord>();
  }
  return pool_->Run(
      "ListMultipartUploads", PgIsolation::kRepeatableRead,
      [&](PgTx& tx) -> Result<std::vector<MultipartUploadRecord>> {
        const std::optional<std::string> end = Utf8PrefixEnd(q.prefix);
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec(StrCat("SELECT ", kMultipartUploadColumns,
                           " FROM multipart_uploads WHERE bucket = $1 AND key >= $2 AND "
                           "($3::text IS NULL OR key < $3) AND (key, id) > ($4, $5) "
                           "ORDER BY key, id LIMIT $6"),
                    q.bucket, q.prefix, end, q.after_key, q.after_id, PgLimit(q.limit)));
        return ReadRows(r, &ReadUpload);
      });
}

Result<std::string> PostgresStore::CommitPart(const PartRecord& part, std::string_view sha256,
                                              absl::Time now) {
  return pool_->Run("CommitPart", PgIsolation::kSerializable,
                    [&](PgTx& tx) { return CommitPartIn(tx, part, sha256, now); });
}

Result<std::string> PostgresStore::CommitPartIn(PgTx& tx, const PartRecord& part,
                                                std::string_view sha256, absl::Time now) {
  if (!IsPgText(part.upload_id)) return NoSuchUpload(part.upload_id);
  RETURN_IF_ERROR(CheckUploadIn(tx, part.upload_id));
  ASSIGN_OR_RETURN(FileRecord file, GetFileIn(tx, part.file_id));
  RETURN_IF_ERROR(CheckObjectFile(file));
  ASSIGN_OR_RETURN(pqxx::result old,
                   tx.Exec("SELECT file_id FROM multipart_parts WHERE upload_id = $1 AND "
                           "part_number = $2",
                           part.upload_id, part.part_number));
  std::string replaced;
  if (!old.empty()) {
    replaced = old[0][0].as<std::string>();
    RETURN_IF_ERROR(DeleteFileIn(tx, replaced, now));
  }
  RETURN_IF_ERROR(MarkCommittedIn(tx, part.file_id, part.size, sha256, now));
  RETURN_IF_ERROR(tx.Exec(StrCat("INSERT INTO multipart_parts (", kPartColumns,
                                 ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT "
                                 "(upload_id, part_number) DO UPDATE SET file_id = "
                                 "excluded.file_id, size = excluded.size, etag = "
                                 "excluded.etag, modified_at_ms = excluded.modified_at_ms"),
                          part.upload_id, part.part_number, part.file_id, part.size, part.etag,
                          absl::ToUnixMillis(now))
                      .status());
  return replaced;
}

Result<std::vector<PartRecord>> PostgresStore::ListParts(std::string_view upload_id) {
  if (!IsPgText(upload_id)) return NoSuchUpload(upload_id);
  return pool_->Run(
      "ListParts", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<std::vector<PartRecord>> {
        RETURN_IF_ERROR(CheckUploadIn(tx, upload_id));
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kPartColumns,
                                                        " FROM multipart_parts WHERE upload_id = "
                                                        "$1 ORDER BY part_number"),
                                                 upload_id));
        return ReadRows(r, &ReadPart);
      });
}

Status PostgresStore::DeleteMultipartUploadIn(PgTx& tx, std::string_view upload_id,
                                              absl::Time now) {
  ASSIGN_OR_RETURN(
      pqxx::result parts,
      tx.Exec("DELETE FROM multipart_parts WHERE upload_id = $1 RETURNING file_id", upload_id));
  for (const auto& row : parts) RETURN_IF_ERROR(DeleteFileIn(tx, row[0].as<std::string>(), now));
  ASSIGN_OR_RETURN(int64_t deleted,
                   tx.Change("DELETE FROM multipart_uploads WHERE id = $1", upload_id));
  return deleted == 0 ? NoSuchUpload(upload_id) : absl::OkStatus();
}

Status PostgresStore::DeleteMultipartUpload(std::string_view upload_id, absl::Time now) {
  if (!IsPgText(upload_id)) return NoSuchUpload(upload_id);
  return pool_->Run("DeleteMultipartUpload", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    return DeleteMultipartUploadIn(tx, upload_id, now);
  });
}

Result<std::vector<MultipartUploadRecord>> PostgresStore::ExpiredMultipartUploads(absl::Time now,
                                                                                  int limit) {
  return pool_->Run("ExpiredMultipartUploads", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<MultipartUploadRecord>> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec(StrCat("SELECT ", kMultipartUploadColumns,
                                                      " FROM multipart_uploads WHERE "
                                                      "expires_at_ms < $1 ORDER BY "
                                                      "expires_at_ms LIMIT $2"),
                                               absl::ToUnixMillis(now), PgLimit(limit)));
                      return ReadRows(r, &ReadUpload);
                    });
}

}  // namespace gale::coordinator
