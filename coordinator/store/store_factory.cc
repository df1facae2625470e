#include "coordinator/store/store_factory.h"

#include <filesystem>

#include "common/file_util.h"
#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/sqlite/sqlite_store.h"

namespace gale::coordinator {

Result<std::unique_ptr<MetadataStore>> OpenMetadataStore(const StoreOptions& options) {
  if (options.type == "postgres") {
    ASSIGN_OR_RETURN(auto store, PostgresStore::Open(options.url, options.pool_size));
    return std::unique_ptr<MetadataStore>(std::move(store));
  }
  if (options.type != "sqlite") {
    return absl::InvalidArgumentError(StrCat("database.type ", options.type, " is not supported"));
  }
  std::string dir = std::filesystem::path(options.path).parent_path().string();
  if (!dir.empty()) RETURN_IF_ERROR(common::CreateDirectories(dir));
  ASSIGN_OR_RETURN(auto store, SqliteStore::Open(options.path));
  return std::unique_ptr<MetadataStore>(std::move(store));
}

Result<int> MigrateMetadataStore(const StoreOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<MetadataStore> store, OpenMetadataStore(options));
  RETURN_IF_ERROR(store->Migrate());
  return store->SchemaVersion();
}

}  // namespace gale::coordinator
