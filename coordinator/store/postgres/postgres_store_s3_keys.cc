// PostgresStore: S3 access keys (see metadata_store.h).

#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

Result<S3KeyRecord> ReadS3Key(const pqxx::row& row) {
  S3KeyRecord key;
  key.access_key_id = row[0].as<std::string>();
  key.secret_encrypted = row[1].as<std::string>();
  key.owner = row[2].as<std::string>();
  key.read_only = row[3].as<bool>();
  ASSIGN_OR_RETURN(key.buckets, DecodeStringList(row[4].as<std::string>()));
  key.created_at = absl::FromUnixMillis(row[5].as<int64_t>());
  return key;
}

}  // namespace

Status PostgresStore::InsertS3Key(const S3KeyRecord& key) {
  return pool_->Run("InsertS3Key", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t inserted,
                     tx.Change(StrCat("INSERT INTO s3_keys (", kS3KeyColumns,
                                      ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"),
                               key.access_key_id, key.secret_encrypted, key.owner, key.read_only,
                               EncodeStringList(key.buckets), absl::ToUnixMillis(key.created_at)));
    if (inserted == 0) {
      return absl::AlreadyExistsError(
          StrCat("S3 access key '", EscapeForMessage(key.access_key_id), "' already exists"));
    }
    return absl::OkStatus();
  });
}

Result<S3KeyRecord> PostgresStore::GetS3Key(std::string_view access_key_id) {
  if (!IsPgText(access_key_id)) return NoSuchS3Key(access_key_id);
  return pool_->Run("GetS3Key", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<S3KeyRecord> {
    ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kS3KeyColumns,
                                                    " FROM s3_keys WHERE access_key_id = $1"),
                                             access_key_id));
    if (r.empty()) return NoSuchS3Key(access_key_id);
    return ReadS3Key(r[0]);
  });
}

Result<std::vector<S3KeyRecord>> PostgresStore::ListS3Keys() {
  return pool_->Run("ListS3Keys", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<S3KeyRecord>> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec(StrCat("SELECT ", kS3KeyColumns,
                                                      " FROM s3_keys ORDER BY access_key_id")));
                      return ReadRows(r, &ReadS3Key);
                    });
}

Status PostgresStore::DeleteS3Key(std::string_view access_key_id) {
  if (!IsPgText(access_key_id)) return NoSuchS3Key(access_key_id);
  return pool_->Run("DeleteS3Key", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t deleted,
                     tx.Change("DELETE FROM s3_keys WHERE access_key_id = $1", access_key_id));
    return deleted == 0 ? NoSuchS3Key(access_key_id) : absl::OkStatus();
  });
}

}  // namespace gale::coordinator
