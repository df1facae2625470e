// SqliteStore: S3 access keys (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<S3KeyRecord> ReadS3Key(const SqliteStatement& row) {
  S3KeyRecord key;
  key.access_key_id = row.Text(0);
  key.secret_encrypted = row.Text(1);
  key.owner = row.Text(2);
  key.read_only = row.Int(3) != 0;
  ASSIGN_OR_RETURN(key.buckets, DecodeStringList(row.Text(4)));
  key.created_at = absl::FromUnixMillis(row.Int(5));
  return key;
}

}  // namespace

Status SqliteStore::InsertS3Key(const S3KeyRecord& key) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("INSERT INTO s3_keys (", kS3KeyColumns,
                                                  ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO "
                                                  "NOTHING")));
    stmt->Bind(1, key.access_key_id)
        .Bind(2, key.secret_encrypted)
        .Bind(3, key.owner)
        .Bind(4, int64_t{key.read_only ? 1 : 0})
        .Bind(5, EncodeStringList(key.buckets))
        .Bind(6, absl::ToUnixMillis(key.created_at));
    RETURN_IF_ERROR(stmt->Run());
    if (db.changes() == 0) {
      return absl::AlreadyExistsError(
          StrCat("S3 access key '", EscapeForMessage(key.access_key_id), "' already exists"));
    }
    return absl::OkStatus();
  });
}

Result<S3KeyRecord> SqliteStore::GetS3Key(std::string_view access_key_id) {
  return Read([&](SqliteDb& db) -> Result<S3KeyRecord> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kS3KeyColumns,
                                                  " FROM s3_keys WHERE access_key_id = ?")));
    stmt->Bind(1, access_key_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchS3Key(access_key_id);
    return ReadS3Key(*stmt);
  });
}

Result<std::vector<S3KeyRecord>> SqliteStore::ListS3Keys() {
  return Read([&](SqliteDb& db) -> Result<std::vector<S3KeyRecord>> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kS3KeyColumns,
                                                  " FROM s3_keys ORDER BY access_key_id")));
    std::vector<S3KeyRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      ASSIGN_OR_RETURN(S3KeyRecord key, ReadS3Key(*stmt));
      out.push_back(std::move(key));
    }
  });
}

Status SqliteStore::DeleteS3Key(std::string_view access_key_id) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM s3_keys WHERE access_key_id = ?"));
    stmt->Bind(1, access_key_id);
    RETURN_IF_ERROR(stmt->Run());
    return db.changes() == 0 ? NoSuchS3Key(access_key_id) : absl::OkStatus();
  });
}

}  // namespace gale::coordinator
