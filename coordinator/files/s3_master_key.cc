#include "coordinator/files/s3_master_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <optional>
#include <vector>

#include "common/file_util.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

constexpr std::string_view kFormat = "v1";
constexpr std::string_view kKeyHelp =
    "64 hex characters (32 bytes; make one with `openssl rand -hex 32`)";

// The raw key written as hex in `text` (surrounding whitespace allowed).
// INVALID_ARGUMENT naming `source`, without echoing the text.
Result<std::string> ParseKey(std::string_view text, std::string_view source) {
  std::optional<std::string> key = HexDecode(TrimWhitespace(text));
  if (!key || key->size() != common::AesGcm::kKeyBytes) {
    return absl::InvalidArgumentError(StrCat(source, " must hold ", kKeyHelp));
  }
  return *key;
}

std::string Fingerprint(std::string_view key) {
  return common::Sha256::Hex(StrCat("gale s3 master key\n", key)).substr(0, 8);
}

// What a sealed secret is bound to: moved to another key id, it fails to open.
std::string AssociatedData(std::string_view access_key_id) {
  return StrCat("gale s3 key\n", access_key_id);
}

void WarnIfOthersMayRead(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("the S3 master key file {} is accessible to other users (mode {:o}); chmod 600 it",
                 path, st.st_mode & 0777);
  }
}

}  // namespace

Status S3MasterKey::Load() {
  absl::MutexLock lock(&mu_);
  return LoadLocked(/*generate=*/false);
}

Status S3MasterKey::LoadLocked(bool generate) {
  if (key_ != nullptr) return absl::OkStatus();
  std::string key;
  if (!options_.key_hex.empty()) {
    ASSIGN_OR_RETURN(key,
                     ParseKey(options_.key_hex, "coordinator.s3_master_key (GALE_S3_MASTER_KEY)"));
  } else if (!options_.key_file.empty()) {
    ASSIGN_OR_RETURN(std::string text, common::ReadFileToString(options_.key_file));
    ASSIGN_OR_RETURN(
        key, ParseKey(text, StrCat("coordinator.s3_master_key_file (", options_.key_file, ")")));
    WarnIfOthersMayRead(options_.key_file);
  } else if (!options_.generated_file.empty()) {
    const std::string& path = options_.generated_file;
    Result<std::string> text = common::ReadFileToString(path);
    if (absl::IsNotFound(text.status())) {
      if (!generate) return absl::OkStatus();
      std::string fresh(common::AesGcm::kKeyBytes, '\0');
      if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()),
                     static_cast<int>(fresh.size())) != 1) {
        return absl::InternalError("no random S3 master key (OpenSSL RAND_bytes failed)");
      }
      std::string hex = HexEncode(fresh);
      OPENSSL_cleanse(fresh.data(), fresh.size());
      Status created = common::CreatePrivateFile(path, hex + "\n");
      if (created.ok()) {
        spdlog::warn(
            "generated the S3 master key into {} (mode 0600): back it up with the database; "
            "without it the secrets of S3 keys cannot be read",
            path);
        text = std::move(hex);
      } else if (absl::IsAlreadyExists(created)) {
        text = common::ReadFileToString(path);  // made meanwhile: use that one
      } else {
        return created;
      }
    }
    RETURN_IF_ERROR(text.status());
    ASSIGN_OR_RETURN(key, ParseKey(*text, path));
    OPENSSL_cleanse(text->data(), text->size());
    WarnIfOthersMayRead(path);
  } else {
    return absl::OkStatus();  // none: Get says what to configure
  }
  Result<common::AesGcm> cipher = common::AesGcm::Create(key);
  const std::string fingerprint = Fingerprint(key);
  OPENSSL_cleanse(key.data(), key.size());
  RETURN_IF_ERROR(cipher.status());
  key_ = std::make_shared<const Key>(Key{*std::move(cipher), fingerprint});
  return absl::OkStatus();
}

Result<std::shared_ptr<const S3MasterKey::Key>> S3MasterKey::Get(bool generate) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(LoadLocked(generate));
  if (key_ != nullptr) return key_;
  if (options_.generated_file.empty()) {
    return absl::FailedPreconditionError(
        StrCat("no S3 master key: set coordinator.s3_master_key_file or GALE_S3_MASTER_KEY, the "
               "same on every coordinator of the database, to ",
               kKeyHelp));
  }
  return absl::FailedPreconditionError(
      StrCat("no S3 master key: ", options_.generated_file,
             " is missing (it was generated with the first S3 key: restore it from a backup, "
             "or configure coordinator.s3_master_key_file)"));
}

Result<std::string> S3MasterKey::Seal(std::string_view secret, std::string_view access_key_id) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Key> key, Get(/*generate=*/true));
  ASSIGN_OR_RETURN(std::string sealed, key->cipher.Seal(secret, AssociatedData(access_key_id)));
  return StrCat(kFormat, ":", key->fingerprint, ":", HexEncode(sealed));
}

Result<std::string> S3MasterKey::Open(std::string_view sealed, std::string_view access_key_id) {
  const std::vector<std::string_view> parts = [&] {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t colon; (colon = sealed.find(':', start)) != std::string_view::npos;) {
      out.push_back(sealed.substr(start, colon - start));
      start = colon + 1;
    }
    out.push_back(sealed.substr(start));
    return out;
  }();
  std::optional<std::string> bytes;
  if (parts.size() == 3 && parts[0] == kFormat) bytes = HexDecode(parts[2]);
  if (!bytes) {
    return absl::InternalError(StrCat("the stored secret of S3 key ",
                                      EscapeForMessage(access_key_id),
                                      " is not in a form this coordinator knows"));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Key> key, Get(/*generate=*/false));
  if (parts[1] != key->fingerprint) {
    return absl::FailedPreconditionError(
        StrCat("the secret of S3 key ", EscapeForMessage(access_key_id),
               " was sealed under another master key (fingerprint ", EscapeForMessage(parts[1]),
               "; this coordinator's is ", key->fingerprint,
               "): configure the master key it was created with"));
  }
  Result<std::string> secret = key->cipher.Open(*bytes, AssociatedData(access_key_id));
  if (!secret.ok()) {
    return Status(secret.status().code(),
                  StrCat("the stored secret of S3 key ", EscapeForMessage(access_key_id),
                         " cannot be decrypted: ", ToStd(secret.status().message())));
  }
  return secret;
}

std::string S3MasterKey::fingerprint() const {
  absl::MutexLock lock(&mu_);
  return key_ != nullptr ? key_->fingerprint : "";
}

}  // namespace gale::coordinator
