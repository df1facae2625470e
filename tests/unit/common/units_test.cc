#include "common/units.h"

#include <gtest/gtest.h>

#include "common/strings.h"
#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

TEST(ParseByteSizeTest, AcceptsPlainAndSuffixed) {
  EXPECT_EQ(*ParseByteSize("0"), 0);
  EXPECT_EQ(*ParseByteSize("4194304"), 4194304);
  EXPECT_EQ(*ParseByteSize("4M"), 4 << 20);
  EXPECT_EQ(*ParseByteSize("4MiB"), 4 << 20);
  EXPECT_EQ(*ParseByteSize("4mb"), 4 << 20);
  EXPECT_EQ(*ParseByteSize(" 1G "), int64_t{1} << 30);
  EXPECT_EQ(*ParseByteSize("2T"), int64_t{2} << 40);
  EXPECT_EQ(*ParseByteSize("512B"), 512);
}

TEST(ParseByteSizeTest, RejectsGarbage) {
  for (const char* bad :
       {"", "-1", "M", "4X", "4 MiBs", "1.5G", "99999999999999999999", "9000000000T"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ParseByteSize(bad), absl::StatusCode::kInvalidArgument, "");
  }
}

TEST(FormatBytesTest, HumanReadable) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(int64_t{3} << 30), "3.0 GiB");
}

TEST(StringsTest, SplitTrimParse) {
  EXPECT_EQ(SplitTrimmed(" a, b ,,c ", ','), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(SplitTrimmed("", ',').empty());
  EXPECT_EQ(TrimWhitespace("\t x \n"), "x");
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_FALSE(ParseInt64("42x").has_value());
  EXPECT_FALSE(ParseInt64("").has_value());
  EXPECT_EQ(StrCat("a", 1, std::string_view("b"), absl::string_view("c")), "a1bc");
  EXPECT_EQ(EscapeForMessage(std::string("a\0b", 3)), "a\\x00b");
}

}  // namespace
}  // namespace gale::common
