#include "common/json_reader.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

TEST(JsonReaderTest, RejectsNonObjects) {
  EXPECT_STATUS(JsonReader::Parse("{bad"), absl::StatusCode::kInvalidArgument, "not valid JSON");
  EXPECT_STATUS(JsonReader::Parse("[1]"), absl::StatusCode::kInvalidArgument, "JSON object");
  EXPECT_STATUS(JsonReader::Parse(""), absl::StatusCode::kInvalidArgument, "not valid JSON");
  EXPECT_OK(JsonReader::Parse("  ", /*allow_empty=*/true));
}

TEST(JsonReaderTest, ReadsTypedFieldsAndNamesBadOnes) {
  ASSERT_OK_AND_ASSIGN(
      JsonReader r, JsonReader::Parse(R"({"s":"x","i":5,"big":18446744073709551615,"f":1.5,"b":true,
                            "a":["p","q"],"m":{"k":"v"},"bad_m":{"k":1},"o":{"n":"str"},
                            "null":null})"));
  EXPECT_EQ(*r.String("s"), "x");
  EXPECT_EQ(*r.Int("i", 0, 10), 5);
  EXPECT_STATUS(r.Int("i", 6, 10), absl::StatusCode::kInvalidArgument,
                "field 'i' must be an integer in [6, 10]");
  EXPECT_STATUS(r.Int("big"), absl::StatusCode::kInvalidArgument, "field 'big'");
  EXPECT_STATUS(r.Int("f"), absl::StatusCode::kInvalidArgument, "field 'f'");
  EXPECT_STATUS(r.Int("s"), absl::StatusCode::kInvalidArgument, "field 's'");
  EXPECT_EQ(**r.OptDouble("f"), 1.5);
  EXPECT_EQ(**r.OptDouble("i"), 5.0);
  EXPECT_TRUE(**r.OptBool("b"));
  EXPECT_STATUS(r.OptBool("s"), absl::StatusCode::kInvalidArgument, "must be true or false");
  EXPECT_EQ(*r.StringArray("a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_STATUS(r.StringArray("m"), absl::StatusCode::kInvalidArgument, "array of strings");
  EXPECT_EQ((**r.OptStringMap("m")).at("k"), "v");
  EXPECT_STATUS(r.OptStringMap("bad_m"), absl::StatusCode::kInvalidArgument,
                "field 'bad_m.k' must be a string");
  EXPECT_STATUS(r.String("missing"), absl::StatusCode::kInvalidArgument,
                "field 'missing' is required");
  EXPECT_FALSE(r.OptString("null")->has_value());
  ASSERT_OK_AND_ASSIGN(auto nested, r.OptObject("o"));
  ASSERT_TRUE(nested.has_value());
  EXPECT_STATUS(nested->Int("n"), absl::StatusCode::kInvalidArgument, "field 'o.n'");
}

TEST(JsonReaderTest, NestedReaderOutlivesParent) {
  std::optional<JsonReader> nested;
  {
    ASSERT_OK_AND_ASSIGN(JsonReader r, JsonReader::Parse(R"({"o":{"x":"y"}})"));
    nested = *r.OptObject("o");
  }
  EXPECT_EQ(*nested->String("x"), "y");
}

}  // namespace
}  // namespace gale::common
