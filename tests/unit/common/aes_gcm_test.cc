#include "common/aes_gcm.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

using absl::StatusCode;

const std::string kKey(AesGcm::kKeyBytes, 'k');

TEST(AesGcmTest, SealedValuesOpenToThePlaintext) {
  ASSERT_OK_AND_ASSIGN(AesGcm cipher, AesGcm::Create(kKey));
  for (const std::string& plaintext :
       {std::string(), std::string("a"), std::string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        std::string(1000, '\0')}) {
    SCOPED_TRACE(plaintext.size());
    ASSERT_OK_AND_ASSIGN(std::string sealed, cipher.Seal(plaintext, "context"));
    EXPECT_EQ(sealed.size(), plaintext.size() + AesGcm::kNonceBytes + AesGcm::kTagBytes);
    // A short plaintext turns up in random bytes by chance (one byte in a
    // 29-byte sealing: one time in nine); eight bytes or more do not.
    if (plaintext.size() >= 8) {
      EXPECT_EQ(sealed.find(plaintext), std::string::npos) << "the plaintext shows";
    }
    ASSERT_OK_AND_ASSIGN(std::string opened, cipher.Open(sealed, "context"));
    EXPECT_TRUE(opened == plaintext);
  }
}

TEST(AesGcmTest, EachSealUsesAFreshNonce) {
  ASSERT_OK_AND_ASSIGN(AesGcm cipher, AesGcm::Create(kKey));
  ASSERT_OK_AND_ASSIGN(std::string a, cipher.Seal("same secret", ""));
  ASSERT_OK_AND_ASSIGN(std::string b, cipher.Seal("same secret", ""));
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(0, AesGcm::kNonceBytes), b.substr(0, AesGcm::kNonceBytes));
}

TEST(AesGcmTest, AnAlteredByteAnywhereIsRefused) {
  ASSERT_OK_AND_ASSIGN(AesGcm cipher, AesGcm::Create(kKey));
  ASSERT_OK_AND_ASSIGN(std::string sealed, cipher.Seal("the secret", "id-1"));
  // Every byte: the nonce, the ciphertext and the tag.
  for (size_t i = 0; i < sealed.size(); ++i) {
    SCOPED_TRACE(i);
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_STATUS(cipher.Open(tampered, "id-1"), StatusCode::kDataLoss, "authentication failed");
  }
  EXPECT_STATUS(cipher.Open(sealed.substr(0, sealed.size() - 1), "id-1"), StatusCode::kDataLoss,
                "authentication failed");
  EXPECT_STATUS(cipher.Open(sealed + "x", "id-1"), StatusCode::kDataLoss, "authentication failed");
  EXPECT_STATUS(cipher.Open(sealed.substr(0, 27), "id-1"), StatusCode::kDataLoss, "at least 28");
  EXPECT_STATUS(cipher.Open("", "id-1"), StatusCode::kDataLoss, "at least 28");
}

TEST(AesGcmTest, AnotherKeyOrContextIsRefused) {
  ASSERT_OK_AND_ASSIGN(AesGcm cipher, AesGcm::Create(kKey));
  std::string other_key = kKey;
  other_key.back() = 'K';
  ASSERT_OK_AND_ASSIGN(AesGcm other, AesGcm::Create(other_key));
  ASSERT_OK_AND_ASSIGN(std::string sealed, cipher.Seal("the secret", "id-1"));
  EXPECT_STATUS(other.Open(sealed, "id-1"), StatusCode::kDataLoss, "authentication failed");
  EXPECT_STATUS(cipher.Open(sealed, "id-2"), StatusCode::kDataLoss, "authentication failed");
  EXPECT_STATUS(cipher.Open(sealed, ""), StatusCode::kDataLoss, "authentication failed");
  EXPECT_OK(cipher.Open(sealed, "id-1"));
}

TEST(AesGcmTest, KeysAre32Bytes) {
  EXPECT_STATUS(AesGcm::Create(""), StatusCode::kInvalidArgument, "32 bytes");
  EXPECT_STATUS(AesGcm::Create(std::string(16, 'k')), StatusCode::kInvalidArgument, "not 16");
  EXPECT_STATUS(AesGcm::Create(std::string(33, 'k')), StatusCode::kInvalidArgument, "not 33");
}

}  // namespace
}  // namespace gale::common
