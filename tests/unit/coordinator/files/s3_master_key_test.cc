#include "coordinator/files/s3_master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/file_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

const std::string kKeyHex(64, 'a');
const std::string kOtherKeyHex(64, 'b');

S3MasterKeyOptions FromHex(const std::string& hex) {
  S3MasterKeyOptions options;
  options.key_hex = hex;
  return options;
}

TEST(S3MasterKeyTest, SealedSecretsOpenForTheSameKeyId) {
  S3MasterKey key(FromHex(kKeyHex));
  ASSERT_OK(key.Load());
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  ASSERT_OK_AND_ASSIGN(std::string sealed, key.Seal(secret, "GALEAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(sealed.starts_with("v1:" + key.fingerprint() + ":")) << sealed;
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  EXPECT_EQ(key.fingerprint().size(), 8u);
  ASSERT_OK_AND_ASSIGN(std::string opened, key.Open(sealed, "GALEAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(opened, secret);
  // Moved to another key's row, it does not open.
  EXPECT_STATUS(key.Open(sealed, "GALEBBBBBBBBBBBBBBBB"), StatusCode::kDataLoss,
                "GALEBBBBBBBBBBBBBBBB cannot be decrypted");
}

TEST(S3MasterKeyTest, TamperedValuesAreRefused) {
  S3MasterKey key(FromHex(kKeyHex));
  ASSERT_OK_AND_ASSIGN(std::string sealed, key.Seal("secret", "GALEAAAAAAAAAAAAAAAA"));
  std::string tampered = sealed;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_STATUS(key.Open(tampered, "GALEAAAAAAAAAAAAAAAA"), StatusCode::kDataLoss,
                "authentication failed");
  // The hex of the nonce, the ciphertext, the tag: any digit.
  const size_t body = sealed.rfind(':') + 1;
  for (size_t i = body; i < sealed.size(); i += 7) {
    SCOPED_TRACE(i);
    tampered = sealed;
    tampered[i] = tampered[i] == 'f' ? 'e' : 'f';
    EXPECT_STATUS(key.Open(tampered, "GALEAAAAAAAAAAAAAAAA"), StatusCode::kDataLoss,
                  "authentication failed");
  }
  for (const std::string& bad : {std::string(""), std::string("v2:") + sealed.substr(3),
                                 sealed + "x", sealed.substr(0, body) + "zz"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(key.Open(bad, "GALEAAAAAAAAAAAAAAAA"), StatusCode::kInternal, "not in a form");
  }
}

TEST(S3MasterKeyTest, AnotherMasterKeyIsRefusedByFingerprint) {
  S3MasterKey key(FromHex(kKeyHex));
  S3MasterKey other(FromHex(kOtherKeyHex));
  ASSERT_OK_AND_ASSIGN(std::string sealed, key.Seal("secret", "GALEAAAAAAAAAAAAAAAA"));
  ASSERT_OK(other.Load());
  EXPECT_NE(key.fingerprint(), other.fingerprint());
  EXPECT_STATUS(other.Open(sealed, "GALEAAAAAAAAAAAAAAAA"), StatusCode::kFailedPrecondition,
                "sealed under another master key (fingerprint " + key.fingerprint());
  // Even with the fingerprint forged, the other key cannot open it.
  std::string forged = sealed;
  forged.replace(3, 8, other.fingerprint());
  EXPECT_STATUS(other.Open(forged, "GALEAAAAAAAAAAAAAAAA"), StatusCode::kDataLoss,
                "authentication failed");
}

TEST(S3MasterKeyTest, ConfiguredKeysMustBe64HexCharacters) {
  for (const std::string& bad : {std::string("abc"), std::string(63, 'a'), std::string(66, 'a'),
                                 std::string(63, 'a') + "g"}) {
    S3MasterKey key(FromHex(bad));
    EXPECT_STATUS(key.Load(), StatusCode::kInvalidArgument,
                  "coordinator.s3_master_key (GALE_S3_MASTER_KEY) must hold 64 hex characters");
    EXPECT_STATUS(key.Seal("secret", "GALEAAAAAAAAAAAAAAAA"), StatusCode::kInvalidArgument,
                  "64 hex");
  }
  S3MasterKey upper(FromHex(std::string(64, 'A')));
  EXPECT_OK(upper.Load());
}

TEST(S3MasterKeyTest, KeyFilesAreReadWithTheirNewline) {
  testing::TempDir dir;
  const std::string path = dir.Join("master.key");
  std::ofstream(path) << kKeyHex << "\n";
  S3MasterKeyOptions options;
  options.key_file = path;
  S3MasterKey from_file(options);
  ASSERT_OK(from_file.Load());
  EXPECT_EQ(from_file.fingerprint(), [] {
    S3MasterKey key(FromHex(kKeyHex));
    EXPECT_OK(key.Load());
    return key.fingerprint();
  }());

  options.key_file = dir.Join("missing.key");
  S3MasterKey missing(options);
  EXPECT_STATUS(missing.Load(), StatusCode::kNotFound, "missing.key");
  std::ofstream(dir.Join("short.key")) << "abcd\n";
  options.key_file = dir.Join("short.key");
  S3MasterKey short_key(options);
  EXPECT_STATUS(short_key.Load(), StatusCode::kInvalidArgument,
                "coordinator.s3_master_key_file (" + dir.Join("short.key") + ") must hold 64 hex");
}

TEST(S3MasterKeyTest, GeneratedOnFirstSealOnlyReadableByTheOwner) {
  testing::TempDir dir;
  S3MasterKeyOptions options;
  options.generated_file = dir.Join("s3-master-key");
  std::string sealed;
  {
    S3MasterKey key(options);
    ASSERT_OK(key.Load());
    EXPECT_EQ(key.fingerprint(), "") << "nothing generated before it is needed";
    EXPECT_FALSE(common::ReadFileToString(options.generated_file).ok());
    EXPECT_STATUS(key.Open("v1:00000000:00", "GALEAAAAAAAAAAAAAAAA"),
                  StatusCode::kFailedPrecondition, "s3-master-key is missing");
    ASSERT_OK_AND_ASSIGN(sealed, key.Seal("secret", "GALEAAAAAAAAAAAAAAAA"));
    struct stat st {};
    ASSERT_EQ(::stat(options.generated_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_OK_AND_ASSIGN(std::string text, common::ReadFileToString(options.generated_file));
    EXPECT_EQ(text.size(), 65u) << "64 hex characters and a newline";
  }
  // A restart reads the same key back.
  S3MasterKey again(options);
  ASSERT_OK(again.Load());
  ASSERT_OK_AND_ASSIGN(std::string opened, again.Open(sealed, "GALEAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(opened, "secret");
}

TEST(S3MasterKeyTest, WithoutAnyKeySaysWhatToConfigure) {
  S3MasterKey key(S3MasterKeyOptions{});
  EXPECT_OK(key.Load());
  EXPECT_STATUS(key.Seal("secret", "GALEAAAAAAAAAAAAAAAA"), StatusCode::kFailedPrecondition,
                "set coordinator.s3_master_key_file or GALE_S3_MASTER_KEY");
  EXPECT_STATUS(key.Open("v1:00000000:00", "GALEAAAAAAAAAAAAAAAA"), StatusCode::kFailedPrecondition,
                "no S3 master key");
}

}  // namespace
}  // namespace gale::coordinator
