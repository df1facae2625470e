#pragma once

#include <gtest/gtest.h>

#include "common/status.h"
#include "common/strings.h"

namespace gale::testing {

inline const Status& GetStatus(const Status& status) { return status; }
template <typename T>
const Status& GetStatus(const Result<T>& result) {
  return result.status();
}

}  // namespace gale::testing

// Evaluate `expr` once, then assert its Status is OK.
#define ASSERT_OK(expr)                                                  \
  do {                                                                   \
    const auto& gale_r_ = (expr);                                        \
    const ::gale::Status& gale_s_ = ::gale::testing::GetStatus(gale_r_); \
    ASSERT_TRUE(gale_s_.ok()) << gale_s_.ToString();                     \
  } while (0)
#define EXPECT_OK(expr)                                                  \
  do {                                                                   \
    const auto& gale_r_ = (expr);                                        \
    const ::gale::Status& gale_s_ = ::gale::testing::GetStatus(gale_r_); \
    EXPECT_TRUE(gale_s_.ok()) << gale_s_.ToString();                     \
  } while (0)

// Asserts that `rexpr` (a Result<T>) is OK and moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  GALE_ASSERT_OK_AND_ASSIGN_IMPL(GALE_STATUS_CONCAT(gale_test_result_, __LINE__), lhs, rexpr)
#define GALE_ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                   \
  ASSERT_TRUE(result.ok()) << result.status().ToString();  \
  lhs = std::move(result).value()

// Expects `expr` to fail with `expected_code` and a message containing
// `substring`.
#define EXPECT_STATUS(expr, expected_code, substring)                              \
  do {                                                                             \
    const auto& gale_r_ = (expr);                                                  \
    const ::gale::Status& gale_s_ = ::gale::testing::GetStatus(gale_r_);           \
    EXPECT_EQ(gale_s_.code(), expected_code) << gale_s_.ToString();                \
    EXPECT_NE(::gale::ToStd(gale_s_.message()).find(substring), std::string::npos) \
        << gale_s_.ToString();                                                     \
  } while (0)
