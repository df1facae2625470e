// SqliteStore: buckets and objects (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<BucketRecord> ReadBucket(const SqliteStatement& row) {
  return BucketRecord{row.Text(0), row.Text(1), absl::FromUnixMillis(row.Int(2))};
}

Result<ObjectRecord> ReadObject(const SqliteStatement& row) {
  ObjectRecord o;
  o.bucket = row.Text(0);
  o.key = row.Text(1);
  o.file_id = row.Text(2);
  o.size = row.Int(3);
  o.etag = row.Text(4);
  o.content_type = row.Text(5);
  ASSIGN_OR_RETURN(o.metadata, DecodeStringMap(row.Text(6)));
  ASSIGN_OR_RETURN(o.tags, DecodeStringMap(row.Text(7)));
  o.modified_at = absl::FromUnixMillis(row.Int(8));
  return o;
}

}  // namespace

Status SqliteStore::InsertBucket(const BucketRecord& bucket) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("INSERT INTO buckets (name, owner, created_at_ms) "
                                           "VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    stmt->Bind(1, bucket.name).Bind(2, bucket.owner).Bind(3, absl::ToUnixMillis(bucket.created_at));
    RETURN_IF_ERROR(stmt->Run());
    if (db.changes() == 0) {
      return absl::AlreadyExistsError(
          StrCat("bucket '", EscapeForMessage(bucket.name), "' already exists"));
    }
    return absl::OkStatus();
  });
}

Result<BucketRecord> SqliteStore::GetBucket(std::string_view name) {
  return Read([&](SqliteDb& db) -> Result<BucketRecord> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT name, owner, created_at_ms FROM buckets WHERE name = ?"));
    stmt->Bind(1, name);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchBucket(name);
    return ReadBucket(*stmt);
  });
}

Result<std::vector<BucketRecord>> SqliteStore::ListBuckets() {
  return Read([&](SqliteDb& db) -> Result<std::vector<BucketRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT name, owner, created_at_ms FROM buckets ORDER BY name"));
    std::vector<BucketRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      ASSIGN_OR_RETURN(BucketRecord bucket, ReadBucket(*stmt));
      out.push_back(std::move(bucket));
    }
  });
}

Status SqliteStore::DeleteBucket(std::string_view name, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto used, db.Prepare("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1"));
    used->Bind(1, name);
    ASSIGN_OR_RETURN(bool holds_objects, used->Step());
    if (holds_objects) {
      return absl::FailedPreconditionError(
          StrCat("bucket '", EscapeForMessage(name), "' is not empty"));
    }
    used.reset();
    ASSIGN_OR_RETURN(auto uploads, db.Prepare("SELECT id FROM multipart_uploads WHERE bucket = ?"));
    uploads->Bind(1, name);
    std::vector<std::string> upload_ids;
    while (true) {
      ASSIGN_OR_RETURN(bool row, uploads->Step());
      if (!row) break;
      upload_ids.push_back(uploads->Text(0));
    }
    uploads.reset();
    for (const std::string& id : upload_ids) RETURN_IF_ERROR(DeleteMultipartUploadIn(db, id, now));
    ASSIGN_OR_RETURN(auto drop, db.Prepare("DELETE FROM buckets WHERE name = ?"));
    drop->Bind(1, name);
    RETURN_IF_ERROR(drop->Run());
    return db.changes() == 0 ? NoSuchBucket(name) : absl::OkStatus();
  });
}

Result<std::string> SqliteStore::CommitObject(const ObjectRecord& object, std::string_view sha256,
                                              absl::Time now) {
  std::string replaced;
  RETURN_IF_ERROR(
      Write([&](SqliteDb& db) { return CommitObjectIn(db, object, sha256, now, &replaced); }));
  return replaced;
}

Status SqliteStore::CommitObjectIn(SqliteDb& db, const ObjectRecord& object,
                                   std::string_view sha256, absl::Time now, std::string* replaced) {
  ASSIGN_OR_RETURN(auto bucket, db.Prepare("SELECT 1 FROM buckets WHERE name = ?"));
  bucket->Bind(1, object.bucket);
  ASSIGN_OR_RETURN(bool bucket_exists, bucket->Step());
  if (!bucket_exists) return NoSuchBucket(object.bucket);
  ASSIGN_OR_RETURN(FileRecord file, GetFileIn(db, object.file_id));
  RETURN_IF_ERROR(CheckObjectFile(file));
  ASSIGN_OR_RETURN(auto old, db.Prepare("SELECT file_id FROM objects WHERE bucket = ? AND "
                                        "key = ?"));
  old->Bind(1, object.bucket).Bind(2, object.key);
  ASSIGN_OR_RETURN(bool exists, old->Step());
  if (exists) {
    *replaced = old->Text(0);
    old.reset();
    RETURN_IF_ERROR(DeleteFileIn(db, *replaced, now));
  }
  RETURN_IF_ERROR(MarkCommittedIn(db, object.file_id, object.size, sha256, now));
  ASSIGN_OR_RETURN(auto put, db.Prepare(StrCat("INSERT OR REPLACE INTO objects (", kObjectColumns,
                                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")));
  put->Bind(1, object.bucket)
      .Bind(2, object.key)
      .Bind(3, object.file_id)
      .Bind(4, object.size)
      .Bind(5, object.etag)
      .Bind(6, object.content_type)
      .Bind(7, EncodeStringMap(object.metadata))
      .Bind(8, EncodeStringMap(object.tags))
      .Bind(9, absl::ToUnixMillis(now));
  return put->Run();
}

Result<ObjectRecord> SqliteStore::GetObject(std::string_view bucket, std::string_view key) {
  return Read([&](SqliteDb& db) -> Result<ObjectRecord> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kObjectColumns,
                                                  " FROM objects WHERE bucket = ? AND key = ?")));
    stmt->Bind(1, bucket).Bind(2, key);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchObject(bucket, key);
    return ReadObject(*stmt);
  });
}

Result<std::vector<ObjectRecord>> SqliteStore::ListObjects(const ObjectListQuery& q) {
  return Read([&](SqliteDb& db) -> Result<std::vector<ObjectRecord>> {
    // The prefix is a range on the key; "" as its end means unbounded.
    const std::string end = Utf8PrefixEnd(q.prefix).value_or("");
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("SELECT ", kObjectColumns,
                                       " FROM objects WHERE bucket = ?1 AND key >= ?2 AND "
                                       "(?3 = '' OR key < ?3) AND key >= ?4 ORDER BY key "
                                       "LIMIT ?5")));
    stmt->Bind(1, q.bucket).Bind(2, q.prefix).Bind(3, end).Bind(4, q.start);
    stmt->Bind(5, int64_t{q.limit});
    std::vector<ObjectRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      ASSIGN_OR_RETURN(ObjectRecord object, ReadObject(*stmt));
      out.push_back(std::move(object));
    }
  });
}

Status SqliteStore::DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto find,
                     db.Prepare("SELECT file_id FROM objects WHERE bucket = ? AND key = ?"));
    find->Bind(1, bucket).Bind(2, key);
    ASSIGN_OR_RETURN(bool exists, find->Step());
    if (!exists) return NoSuchObject(bucket, key);
    const std::string file_id = find->Text(0);
    find.reset();
    ASSIGN_OR_RETURN(auto drop, db.Prepare("DELETE FROM objects WHERE bucket = ? AND key = ?"));
    drop->Bind(1, bucket).Bind(2, key);
    RETURN_IF_ERROR(drop->Run());
    return DeleteFileIn(db, file_id, now);
  });
}

Status SqliteStore::SetObjectTags(std::string_view bucket, std::string_view key,
                                  const std::map<std::string, std::string>& tags) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?"));
    stmt->Bind(1, EncodeStringMap(tags)).Bind(2, bucket).Bind(3, key);
    RETURN_IF_ERROR(stmt->Run());
    return db.changes() == 0 ? NoSuchObject(bucket, key) : absl::OkStatus();
  });
}

}  // namespace gale::coordinator
