#include "common/strings.h"

#include <gtest/gtest.h>

namespace gale {
namespace {

TEST(StringsTest, IsValidUtf8AcceptsTextAndRejectsMalformedBytes) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain/ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3))) << "NUL is a character";
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("a\xc3")) << "truncated";
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf")) << "overlong";
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80")) << "surrogate";
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80")) << "past U+10FFFF";
}

TEST(StringsTest, HexDecodeIsHexEncodeBackwards) {
  EXPECT_EQ(HexDecode("00ff7fA0"), std::string("\x00\xff\x7f\xa0", 4));
  EXPECT_EQ(HexDecode(HexEncode("any bytes\x01")), "any bytes\x01");
  EXPECT_EQ(HexDecode(""), "");
  EXPECT_EQ(HexDecode("abc"), std::nullopt) << "odd length";
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
}

TEST(StringsTest, Utf8PrefixEndBoundsEveryStringWithThePrefix) {
  EXPECT_EQ(Utf8PrefixEnd("a/"), "a0");
  EXPECT_EQ(Utf8PrefixEnd("caf\xc3\xa9"), "caf\xc3\xaa");
  EXPECT_EQ(Utf8PrefixEnd("\xc3\xbf"), "\xc4\x80") << "the next code point, not byte";
  EXPECT_EQ(Utf8PrefixEnd("\xed\x9f\xbf"), "\xee\x80\x80") << "skips the surrogates";
  EXPECT_EQ(Utf8PrefixEnd("a\xf4\x8f\xbf\xbf"), "b") << "U+10FFFF carries";
  EXPECT_EQ(Utf8PrefixEnd(""), std::nullopt);
  EXPECT_EQ(Utf8PrefixEnd("\xf4\x8f\xbf\xbf"), std::nullopt);
  // Not text: plain byte order.
  EXPECT_EQ(Utf8PrefixEnd("a\xc3"), "a\xc4");
  EXPECT_EQ(Utf8PrefixEnd("a\xff\xff"), "b");
  EXPECT_EQ(Utf8PrefixEnd("\xff"), std::nullopt);
  for (std::string_view prefix : {"a/", "caf\xc3\xa9", "\xc3\xbf", "\xe2\x82\xac"}) {
    const std::string end = *Utf8PrefixEnd(prefix);
    EXPECT_LT(std::string(prefix) + "\xf4\x8f\xbf\xbf", end) << prefix;
    EXPECT_GT(end, std::string(prefix));
  }
}

}  // namespace
}  // namespace gale

namespace gale {
namespace {

TEST(StrCatTest, WritesEachArgumentAsFmtWould) {
  const std::string text = "text";
  const char* pointer = "pointer";
  const absl::string_view absl_view("absl", 4);
  EXPECT_EQ(StrCat(text, std::string_view("view"), pointer, "literal", absl_view, 'c'),
            "textviewpointerliteralabslc");
  EXPECT_EQ(StrCat(int64_t{-9223372036854775807} - 1, " ", uint64_t{18446744073709551615u}, " ", 0,
                   " ", int8_t{-5}, " ", uint8_t{200}, " ", short{-3}),
            "-9223372036854775808 18446744073709551615 0 -5 200 -3");
  for (const int64_t n : {int64_t{1}, int64_t{-42}, int64_t{1234567890123}}) {
    EXPECT_EQ(StrCat(n), fmt::format("{}", n));
  }
  EXPECT_EQ(StrCat(true, false), "truefalse");
  EXPECT_EQ(StrCat(1.5, " ", 0.1), fmt::format("{} {}", 1.5, 0.1));
  EXPECT_EQ(StrCat(), "");
  EXPECT_EQ(StrCat(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(StrCatTest, StrAppendAddsWhatStrCatWrites) {
  std::string out = "[";
  StrAppend(&out, int64_t{-7}, ",", 'x', std::string_view("y"), 2.5);
  StrAppend(&out);
  EXPECT_EQ(out, StrCat("[", int64_t{-7}, ",", 'x', "y", 2.5));
}

}  // namespace
}  // namespace gale
