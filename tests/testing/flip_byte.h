#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace gale::testing {

// Flips one bit of the byte at `offset` in the file at `path`, as bit rot
// would. Fails (for ASSERT_TRUE) when the file cannot be changed.
inline ::testing::AssertionResult FlipByte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f.is_open()) return ::testing::AssertionFailure() << "cannot open " << path;
  f.seekg(offset);
  char c = 0;
  if (!f.read(&c, 1)) return ::testing::AssertionFailure() << path << " has no byte " << offset;
  c ^= 0x40;
  f.seekp(offset);
  if (!f.write(&c, 1)) return ::testing::AssertionFailure() << "cannot write " << path;
  return ::testing::AssertionSuccess();
}

}  // namespace gale::testing
