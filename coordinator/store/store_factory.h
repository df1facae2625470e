#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

// Which metadata store to open: config.yaml's `database:` keys, resolved by
// CoordinatorOptions::Finalize. A plain value type.
struct StoreOptions {
  std::string type = "sqlite";  // "sqlite" or "postgres"
  std::string url;              // postgresql://... (or sqlite:PATH)
  std::string path;             // SQLite file; empty: <data_dir>/gale.db
  int pool_size = 8;            // PostgreSQL connections at most
  // PostgreSQL: how far behind the database a read answered from memory
  // may be (changes made through other coordinators), in milliseconds.
  int staleness_bound_ms = 1000;
};

// Opens the metadata store that `options` select, without migrating it.
Result<std::unique_ptr<MetadataStore>> OpenMetadataStore(const StoreOptions& options);

// Opens the selected store, applies every migration it lacks (as Start()
// does, under the same lock) and closes it; returns the schema version.
// `gale-coordinator migrate`, for init containers and upgrades.
Result<int> MigrateMetadataStore(const StoreOptions& options);

}  // namespace gale::coordinator
