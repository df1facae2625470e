#include "coordinator/store/store_schema.h"

#include <algorithm>

#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace gale::coordinator {

Status CheckNotNewer(std::string_view database, int current, int latest) {
  if (current <= latest) return absl::OkStatus();
  return absl::FailedPreconditionError(StrCat("the database ", database, " has schema version ",
                                              current, ", newer than this binary knows (", latest,
                                              "); run a newer gale-coordinator"));
}

Status CheckAppliedKnown(std::string_view database, const std::set<int>& applied,
                         const std::vector<migrations::Migration>& migrations) {
  const int latest = LatestVersion(migrations);
  RETURN_IF_ERROR(CheckNotNewer(database, applied.empty() ? 0 : *applied.rbegin(), latest));
  for (int version : applied) {
    const bool known = std::any_of(migrations.begin(), migrations.end(),
                                   [&](const auto& m) { return m.version == version; });
    if (!known) {
      return absl::FailedPreconditionError(
          StrCat("the database ", database, " has migration ", version,
                 " applied, which this binary does not know; run the gale-coordinator that "
                 "applied it"));
    }
  }
  return absl::OkStatus();
}

std::string EncodeStringMap(const std::map<std::string, std::string>& values) {
  return nlohmann::json(values).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::map<std::string, std::string>> DecodeStringMap(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InternalError(StrCat("stored map is not a JSON object: ", json.substr(0, 100)));
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : parsed.items()) {
    if (!value.is_string()) return absl::InternalError(StrCat("stored map value of ", name));
    out.emplace(name, value.get<std::string>());
  }
  return out;
}

Status NoSuchFile(std::string_view file_id) {
  return absl::NotFoundError(StrCat("no file with id ", EscapeForMessage(file_id)));
}

Status NoFileNamed(std::string_view name) {
  return absl::NotFoundError(StrCat("no file named '", EscapeForMessage(name), "'"));
}

Status NoSuchChunk(std::string_view chunk_id) {
  return absl::NotFoundError(StrCat("no chunk ", EscapeForMessage(chunk_id)));
}

Status NoSuchBucket(std::string_view name) {
  return absl::NotFoundError(StrCat("no bucket named '", EscapeForMessage(name), "'"));
}

Status NoSuchObject(std::string_view bucket, std::string_view key) {
  return absl::NotFoundError(
      StrCat("no object '", EscapeForMessage(key), "' in bucket '", EscapeForMessage(bucket), "'"));
}

Status NoSuchUpload(std::string_view upload_id) {
  return absl::NotFoundError(StrCat("no upload '", EscapeForMessage(upload_id), "'"));
}

Status CheckObjectFile(const FileRecord& file) {
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file.id, " is already committed"));
  }
  if (!file.name.empty()) {
    return absl::FailedPreconditionError(
        StrCat("file ", file.id, " has a name; an object's file has none"));
  }
  return absl::OkStatus();
}

Status CheckCurrent(int current, int latest) {
  if (current == latest) return absl::OkStatus();
  return absl::UnavailableError(StrCat("schema version ", current, ", expected ", latest));
}

std::string EncodeStringList(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<std::string>> DecodeStringList(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    return absl::InternalError(StrCat("stored list is not a JSON array: ", json.substr(0, 100)));
  }
  std::vector<std::string> out;
  for (const auto& value : parsed) {
    if (!value.is_string()) return absl::InternalError("stored list holds a value not a string");
    out.push_back(value.get<std::string>());
  }
  return out;
}

std::string JoinCursor(std::string_view first, std::string_view rest) {
  return StrCat(first, ":", rest);
}

Result<std::pair<std::string, std::string>> SplitCursor(std::string_view cursor) {
  const size_t colon = cursor.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("not a scan cursor: '", EscapeForMessage(cursor), "'"));
  }
  return std::pair<std::string, std::string>(cursor.substr(0, colon), cursor.substr(colon + 1));
}

Result<std::pair<int64_t, int64_t>> SplitIntCursor(std::string_view cursor) {
  ASSIGN_OR_RETURN(auto parts, SplitCursor(cursor));
  const std::optional<int64_t> first = ParseInt64(parts.first);
  const std::optional<int64_t> second = ParseInt64(parts.second);
  if (!first || !second) {
    return absl::InvalidArgumentError(
        StrCat("not a scan cursor: '", EscapeForMessage(cursor), "'"));
  }
  return std::pair<int64_t, int64_t>(*first, *second);
}

Status NoSuchS3Key(std::string_view access_key_id) {
  return absl::NotFoundError(StrCat("no S3 access key '", EscapeForMessage(access_key_id), "'"));
}

}  // namespace gale::coordinator
