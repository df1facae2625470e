#pragma once

#include <memory>

#include "common/status.h"
#include "coordinator/coordinator_options.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

// Opens the metadata store that `options` (finalized) select, without
// migrating it.
Result<std::unique_ptr<MetadataStore>> OpenMetadataStore(const CoordinatorOptions& options);

// Opens the selected store, applies every migration it lacks (as Start()
// does, under the same lock) and closes it; returns the schema version.
// `gale-coordinator migrate`, for init containers and upgrades.
Result<int> MigrateMetadataStore(const CoordinatorOptions& options);

}  // namespace gale::coordinator
