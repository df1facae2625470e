#include "coordinator/store/file_record.h"

#include "common/strings.h"
#include "coordinator/store/enum_names.h"

namespace gale::coordinator {

std::string_view WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kSync:
      return "sync";
    case WriteMode::kQuorum:
      return "quorum";
    case WriteMode::kAsync:
      return "async";
  }
  return "quorum";
}

Result<WriteMode> ParseWriteMode(std::string_view name) {
  static constexpr WriteMode kAll[] = {WriteMode::kSync, WriteMode::kQuorum, WriteMode::kAsync};
  return ParseEnumName(name, kAll, &WriteModeName, "write mode",
                       absl::StatusCode::kInvalidArgument);
}

int RequiredReplicas(WriteMode mode, int factor) {
  switch (mode) {
    case WriteMode::kSync:
      return factor;
    case WriteMode::kQuorum:
      return factor / 2 + 1;
    case WriteMode::kAsync:
      return 1;
  }
  return factor;
}

std::string_view FileStateName(FileState state) {
  return state == FileState::kPending ? "pending" : "complete";
}

Result<FileState> ParseFileState(std::string_view name) {
  static constexpr FileState kAll[] = {FileState::kPending, FileState::kComplete};
  return ParseEnumName(name, kAll, &FileStateName, "file state", absl::StatusCode::kDataLoss);
}

Status ValidateFileName(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > 1024) {
    return absl::InvalidArgumentError(StrCat("field '", field, "' must be 1 to 1024 bytes"));
  }
  auto invalid_utf8 = [&] {
    return absl::InvalidArgumentError(StrCat("field '", field, "' is not valid UTF-8"));
  };
  size_t i = 0;
  while (i < name.size()) {
    const unsigned char lead = static_cast<unsigned char>(name[i]);
    if (lead < 0x20 || lead == 0x7f) {
      return absl::InvalidArgumentError(
          StrCat("field '", field, "' must not contain control characters"));
    }
    size_t continuation = 0;
    if (lead >= 0xf0 && lead <= 0xf4) {
      continuation = 3;
    } else if (lead >= 0xe0) {
      continuation = lead <= 0xef ? 2 : 9;
    } else if (lead >= 0xc2) {
      continuation = 1;
    } else if (lead >= 0x80) {
      continuation = 9;  // a stray continuation byte or an overlong lead
    }
    if (continuation == 9 || i + continuation >= name.size()) return invalid_utf8();
    for (size_t k = 1; k <= continuation; ++k) {
      if ((static_cast<unsigned char>(name[i + k]) & 0xc0) != 0x80) return invalid_utf8();
    }
    i += continuation + 1;
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
