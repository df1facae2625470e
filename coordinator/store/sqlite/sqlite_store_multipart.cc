// SqliteStore: multipart uploads and their parts (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<MultipartUploadRecord> ReadUpload(const SqliteStatement& row) {
  MultipartUploadRecord u;
  u.id = row.Text(0);
  u.bucket = row.Text(1);
  u.key = row.Text(2);
  u.owner = row.Text(3);
  u.content_type = row.Text(4);
  ASSIGN_OR_RETURN(u.metadata, DecodeStringMap(row.Text(5)));
  ASSIGN_OR_RETURN(u.tags, DecodeStringMap(row.Text(6)));
  u.created_at = absl::FromUnixMillis(row.Int(7));
  u.expires_at = absl::FromUnixMillis(row.Int(8));
  return u;
}

Result<std::vector<MultipartUploadRecord>> ReadUploads(SqliteStatement& stmt) {
  std::vector<MultipartUploadRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(MultipartUploadRecord upload, ReadUpload(stmt));
    out.push_back(std::move(upload));
  }
}

PartRecord ReadPart(const SqliteStatement& row) {
  return PartRecord{row.Text(0), static_cast<int>(row.Int(1)),    row.Text(2), row.Int(3),
                    row.Text(4), absl::FromUnixMillis(row.Int(5))};
}

}  // namespace

Status SqliteStore::InsertMultipartUpload(const MultipartUploadRecord& upload) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto bucket, db.Prepare("SELECT 1 FROM buckets WHERE name = ?"));
    bucket->Bind(1, upload.bucket);
    ASSIGN_OR_RETURN(bool bucket_exists, bucket->Step());
    if (!bucket_exists) return NoSuchBucket(upload.bucket);
    ASSIGN_OR_RETURN(auto insert,
                     db.Prepare(StrCat("INSERT INTO multipart_uploads (", kMultipartUploadColumns,
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")));
    insert->Bind(1, upload.id)
        .Bind(2, upload.bucket)
        .Bind(3, upload.key)
        .Bind(4, upload.owner)
        .Bind(5, upload.content_type)
        .Bind(6, EncodeStringMap(upload.metadata))
        .Bind(7, EncodeStringMap(upload.tags))
        .Bind(8, absl::ToUnixMillis(upload.created_at))
        .Bind(9, absl::ToUnixMillis(upload.expires_at));
    return insert->Run();
  });
}

Result<MultipartUploadRecord> SqliteStore::GetMultipartUpload(std::string_view upload_id) {
  return Read([&](SqliteDb& db) -> Result<MultipartUploadRecord> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kMultipartUploadColumns,
                                                  " FROM multipart_uploads WHERE id = ?")));
    stmt->Bind(1, upload_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchUpload(upload_id);
    return ReadUpload(*stmt);
  });
}

Result<std::vector<MultipartUploadRecord>> SqliteStore::ListMultipartUploads(
    const MultipartUploadQuery& q) {
  return Read([&](SqliteDb& db) -> Result<std::vector<MultipartUploadRecord>> {
    // The prefix is a range on the key; "" as its end means unbounded.
    const std::string end = Utf8PrefixEnd(q.prefix).value_or("");
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("SELECT ", kMultipartUploadColumns,
                                       " FROM multipart_uploads WHERE bucket = ?1 AND key >= ?2 "
                                       "AND (?3 = '' OR key < ?3) AND (key, id) > (?4, ?5) "
                                       "ORDER BY key, id LIMIT ?6")));
    stmt->Bind(1, q.bucket).Bind(2, q.prefix).Bind(3, end).Bind(4, q.after_key);
    stmt->Bind(5, q.after_id).Bind(6, int64_t{q.limit});
    return ReadUploads(*stmt);
  });
}

Result<std::string> SqliteStore::CommitPart(const PartRecord& part, std::string_view sha256,
                                            absl::Time now) {
  std::string replaced;
  RETURN_IF_ERROR(
      Write([&](SqliteDb& db) { return CommitPartIn(db, part, sha256, now, &replaced); }));
  return replaced;
}

Status SqliteStore::CommitPartIn(SqliteDb& db, const PartRecord& part, std::string_view sha256,
                                 absl::Time now, std::string* replaced) {
  ASSIGN_OR_RETURN(auto upload, db.Prepare("SELECT 1 FROM multipart_uploads WHERE id = ?"));
  upload->Bind(1, part.upload_id);
  ASSIGN_OR_RETURN(bool upload_exists, upload->Step());
  if (!upload_exists) return NoSuchUpload(part.upload_id);
  ASSIGN_OR_RETURN(FileRecord file, GetFileIn(db, part.file_id));
  RETURN_IF_ERROR(CheckObjectFile(file));
  ASSIGN_OR_RETURN(auto old, db.Prepare("SELECT file_id FROM multipart_parts WHERE "
                                        "upload_id = ? AND part_number = ?"));
  old->Bind(1, part.upload_id).Bind(2, int64_t{part.part_number});
  ASSIGN_OR_RETURN(bool exists, old->Step());
  if (exists) {
    *replaced = old->Text(0);
    old.reset();
    RETURN_IF_ERROR(DeleteFileIn(db, *replaced, now));
  }
  RETURN_IF_ERROR(MarkCommittedIn(db, part.file_id, part.size, sha256, now));
  ASSIGN_OR_RETURN(auto put, db.Prepare(StrCat("INSERT OR REPLACE INTO multipart_parts (",
                                               kPartColumns, ") VALUES (?, ?, ?, ?, ?, ?)")));
  put->Bind(1, part.upload_id)
      .Bind(2, int64_t{part.part_number})
      .Bind(3, part.file_id)
      .Bind(4, part.size)
      .Bind(5, part.etag)
      .Bind(6, absl::ToUnixMillis(now));
  return put->Run();
}

Result<std::vector<PartRecord>> SqliteStore::ListParts(std::string_view upload_id) {
  return Read([&](SqliteDb& db) -> Result<std::vector<PartRecord>> {
    ASSIGN_OR_RETURN(auto upload, db.Prepare("SELECT 1 FROM multipart_uploads WHERE id = ?"));
    upload->Bind(1, upload_id);
    ASSIGN_OR_RETURN(bool upload_exists, upload->Step());
    if (!upload_exists) return NoSuchUpload(upload_id);
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kPartColumns,
                                                  " FROM multipart_parts WHERE upload_id = ? "
                                                  "ORDER BY part_number")));
    stmt->Bind(1, upload_id);
    std::vector<PartRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      out.push_back(ReadPart(*stmt));
    }
  });
}

Status SqliteStore::DeleteMultipartUploadIn(SqliteDb& db, std::string_view upload_id,
                                            absl::Time now) {
  ASSIGN_OR_RETURN(auto files, db.Prepare("SELECT file_id FROM multipart_parts WHERE "
                                          "upload_id = ?"));
  files->Bind(1, upload_id);
  std::vector<std::string> file_ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, files->Step());
    if (!row) break;
    file_ids.push_back(files->Text(0));
  }
  files.reset();
  for (const std::string& file_id : file_ids) RETURN_IF_ERROR(DeleteFileIn(db, file_id, now));
  ASSIGN_OR_RETURN(auto parts, db.Prepare("DELETE FROM multipart_parts WHERE upload_id = ?"));
  parts->Bind(1, upload_id);
  RETURN_IF_ERROR(parts->Run());
  ASSIGN_OR_RETURN(auto upload, db.Prepare("DELETE FROM multipart_uploads WHERE id = ?"));
  upload->Bind(1, upload_id);
  RETURN_IF_ERROR(upload->Run());
  return db.changes() == 0 ? NoSuchUpload(upload_id) : absl::OkStatus();
}

Status SqliteStore::DeleteMultipartUpload(std::string_view upload_id, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status { return DeleteMultipartUploadIn(db, upload_id, now); });
}

Result<std::vector<MultipartUploadRecord>> SqliteStore::ExpiredMultipartUploads(absl::Time now,
                                                                                int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<MultipartUploadRecord>> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kMultipartUploadColumns,
                                                  " FROM multipart_uploads WHERE expires_at_ms "
                                                  "< ? ORDER BY expires_at_ms LIMIT ?")));
    stmt->Bind(1, absl::ToUnixMillis(now)).Bind(2, int64_t{limit});
    return ReadUploads(*stmt);
  });
}

}  // namespace gale::coordinator
