#include "s3/gateway/names.h"

#include "common/strings.h"

namespace gale::s3 {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(std::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat("bucket name '", EscapeForMessage(name, 80), "' is invalid: ", why));
  };
  if (name.size() < 3 || name.size() > 63) return invalid("it must have 3 to 63 characters");
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return invalid("only lowercase letters, digits, '.' and '-' are allowed");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return invalid("it must start and end with a letter or a digit");
  }
  if (name.find("..") != std::string_view::npos) return invalid("it must not contain '..'");
  if (LooksLikeIpv4(name)) return invalid("it must not be an IP address");
  if (name.starts_with("xn--") || name.ends_with("-s3alias")) {
    return invalid("the prefix 'xn--' and the suffix '-s3alias' are reserved");
  }
  return absl::OkStatus();
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("an object key must not be empty");
  if (key.size() > kMaxObjectKeyBytes) {
    return absl::InvalidArgumentError(
        StrCat("object key of ", key.size(), " bytes is longer than ", kMaxObjectKeyBytes));
  }
  if (!IsValidUtf8(key)) return absl::InvalidArgumentError("an object key must be valid UTF-8");
  return absl::OkStatus();
}

}  // namespace gale::s3
