#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"

namespace gale::common {

// Reads typed fields out of a JSON object for the REST adapters, producing
// INVALID_ARGUMENT errors that name the field (with its path, "stats.cpu_usage")
// and say what was expected. Unknown fields are ignored, for compatibility.
// Never throws. Not thread-safe; cheap to copy for nested objects.
class JsonReader {
 public:
  // Parses `body`, which must be a JSON object. An empty body reads as {}
  // when `allow_empty`.
  static Result<JsonReader> Parse(std::string_view body, bool allow_empty = false);

  explicit JsonReader(const nlohmann::json* object, std::string path_prefix = "");

  bool Has(std::string_view field) const;

  Result<std::optional<std::string>> OptString(std::string_view field) const;
  Result<std::string> String(std::string_view field) const;

  // Integers must be JSON integers (not strings, not fractions) in [min, max].
  Result<std::optional<int64_t>> OptInt(std::string_view field, int64_t min = INT64_MIN,
                                        int64_t max = INT64_MAX) const;
  Result<int64_t> Int(std::string_view field, int64_t min = INT64_MIN,
                      int64_t max = INT64_MAX) const;

  // Any JSON number (integer or not).
  Result<std::optional<double>> OptDouble(std::string_view field) const;

  Result<std::optional<bool>> OptBool(std::string_view field) const;

  Result<std::optional<std::vector<std::string>>> OptStringArray(std::string_view field) const;
  Result<std::vector<std::string>> StringArray(std::string_view field) const;

  // An object whose values are all strings.
  Result<std::optional<std::map<std::string, std::string>>> OptStringMap(
      std::string_view field) const;

  // A nested object, read with this reader's path as prefix.
  Result<std::optional<JsonReader>> OptObject(std::string_view field) const;
  // An array of objects, each read with the path "field[i]".
  Result<std::optional<std::vector<JsonReader>>> OptObjectArray(std::string_view field) const;

 private:
  // The field's value, or null when absent or JSON null.
  const nlohmann::json* Find(std::string_view field) const;
  std::string PathOf(std::string_view field) const;
  Status Error(std::string_view field, std::string_view expected) const;

  std::shared_ptr<const nlohmann::json> owned_;  // set when created by Parse
  const nlohmann::json* object_;
  std::string prefix_;
};

}  // namespace gale::common
