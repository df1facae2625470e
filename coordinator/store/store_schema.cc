#include "coordinator/store/store_schema.h"

#include "common/strings.h"

namespace gale::coordinator {

Status CheckNotNewer(std::string_view database, int current, int latest) {
  if (current <= latest) return absl::OkStatus();
  return absl::FailedPreconditionError(StrCat("the database ", database, " has schema version ",
                                              current, ", newer than this binary knows (", latest,
                                              "); run a newer gale-coordinator"));
}

Status CheckCurrent(int current, int latest) {
  if (current == latest) return absl::OkStatus();
  return absl::UnavailableError(StrCat("schema version ", current, ", expected ", latest));
}

}  // namespace gale::coordinator
