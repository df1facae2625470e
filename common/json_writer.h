#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gale::common {

// Writes JSON text straight into a string, for responses served so often
// that building a nlohmann::json tree first (a heap node per value, a map
// per object) dominates their cost. Keys come out in the order written.
// Strings are escaped as nlohmann's dump does (invalid UTF-8 replaced).
// Not thread-safe.
class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 1024) { out_.reserve(reserve); }

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The next value's key, inside an object.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  // Key and value at once.
  JsonWriter& StringField(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& IntField(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& BoolField(std::string_view key, bool value) { return Key(key).Bool(value); }

  // The text written so far.
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  // A comma before every value of an array or key of an object but the first.
  void Separate();
  void AppendString(std::string_view value);

  std::string out_;
  std::vector<bool> first_;  // per open array or object: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace gale::common
