#include "common/json_reader.h"

#include "common/strings.h"

namespace gale::common {

Result<JsonReader> JsonReader::Parse(std::string_view body, bool allow_empty) {
  auto parsed = std::make_shared<nlohmann::json>(
      nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false));
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos && allow_empty) {
    *parsed = nlohmann::json::object();
  } else if (parsed->is_discarded()) {
    return absl::InvalidArgumentError("request body is not valid JSON");
  }
  if (!parsed->is_object()) {
    return absl::InvalidArgumentError("request body must be a JSON object");
  }
  JsonReader reader(parsed.get());
  reader.owned_ = std::move(parsed);
  return reader;
}

JsonReader::JsonReader(const nlohmann::json* object, std::string path_prefix)
    : object_(object), prefix_(std::move(path_prefix)) {}

const nlohmann::json* JsonReader::Find(std::string_view field) const {
  auto it = object_->find(field);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonReader::Has(std::string_view field) const { return Find(field) != nullptr; }

std::string JsonReader::PathOf(std::string_view field) const {
  return prefix_.empty() ? std::string(field) : StrCat(prefix_, ".", field);
}

Status JsonReader::Error(std::string_view field, std::string_view expected) const {
  return absl::InvalidArgumentError(StrCat("field '", PathOf(field), "' ", expected));
}

Result<std::optional<std::string>> JsonReader::OptString(std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return Error(field, "must be a string");
  return v->get<std::string>();
}

Result<std::string> JsonReader::String(std::string_view field) const {
  ASSIGN_OR_RETURN(auto value, OptString(field));
  if (!value) return Error(field, "is required");
  return *value;
}

Result<std::optional<int64_t>> JsonReader::OptInt(std::string_view field, int64_t min,
                                                  int64_t max) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  std::string range = StrCat("must be an integer in [", min, ", ", max, "]");
  if (!v->is_number_integer() ||
      (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
    return Error(field, range);
  }
  int64_t value = v->get<int64_t>();
  if (value < min || value > max) return Error(field, range);
  return value;
}

Result<int64_t> JsonReader::Int(std::string_view field, int64_t min, int64_t max) const {
  ASSIGN_OR_RETURN(auto value, OptInt(field, min, max));
  if (!value) return Error(field, "is required");
  return *value;
}

Result<std::optional<double>> JsonReader::OptDouble(std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) return Error(field, "must be a number");
  return v->get<double>();
}

Result<std::optional<bool>> JsonReader::OptBool(std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) return Error(field, "must be true or false");
  return v->get<bool>();
}

Result<std::optional<std::vector<std::string>>> JsonReader::OptStringArray(
    std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) return Error(field, "must be an array of strings");
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const auto& item : *v) {
    if (!item.is_string()) return Error(field, "must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> JsonReader::StringArray(std::string_view field) const {
  ASSIGN_OR_RETURN(auto value, OptStringArray(field));
  if (!value) return Error(field, "is required");
  return *std::move(value);
}

Result<std::optional<std::map<std::string, std::string>>> JsonReader::OptStringMap(
    std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) return Error(field, "must be an object of string values");
  std::map<std::string, std::string> out;
  for (const auto& [key, item] : v->items()) {
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          StrCat("field '", PathOf(field), ".", key, "' must be a string"));
    }
    out.emplace(key, item.get<std::string>());
  }
  return out;
}

Result<std::optional<JsonReader>> JsonReader::OptObject(std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) return Error(field, "must be an object");
  JsonReader nested(v, PathOf(field));
  nested.owned_ = owned_;
  return nested;
}

Result<std::optional<std::vector<JsonReader>>> JsonReader::OptObjectArray(
    std::string_view field) const {
  const nlohmann::json* v = Find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) return Error(field, "must be an array of objects");
  std::vector<JsonReader> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    if (!item.is_object()) return Error(field, "must be an array of objects");
    JsonReader nested(&item, StrCat(PathOf(field), "[", i, "]"));
    nested.owned_ = owned_;
    out.push_back(std::move(nested));
  }
  return out;
}

}  // namespace gale::common
