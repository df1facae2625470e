#include "common/json_writer.h"

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"

namespace gale::common {
namespace {

TEST(JsonWriterTest, NestedObjectsAndArraysAreSeparatedAndParse) {
  JsonWriter out;
  out.BeginObject().BoolField("ok", true).IntField("n", -42).Key("list").BeginArray();
  out.String("a").Int(7).BeginObject().EndObject().BeginArray().EndArray().Bool(false);
  out.EndArray().Key("empty").BeginObject().EndObject().StringField("last", "z").EndObject();
  const std::string text = out.Take();
  EXPECT_EQ(text, R"({"ok":true,"n":-42,"list":["a",7,{},[],false],"empty":{},"last":"z"})");
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["list"][1], 7);
}

TEST(JsonWriterTest, StringsAreEscapedAsNlohmannDumpsThem) {
  for (const std::string value :
       {std::string("plain-id_0.9"), std::string("quote \" and \\ backslash"),
        std::string("new\nline\ttab\x01"), std::string("caf\xc3\xa9 \xe2\x82\xac"),
        std::string("bad \xff\xfe utf-8"), std::string("nul \0 inside", 13), std::string()}) {
    JsonWriter out;
    out.BeginArray().String(value).EndArray();
    const std::string expected = nlohmann::json::array({value}).dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(out.Take(), expected) << value;
  }
}

TEST(JsonWriterTest, KeysAreEscapedToo) {
  JsonWriter out;
  out.BeginObject().IntField("a\"b", 1).EndObject();
  auto parsed = nlohmann::json::parse(out.Take(), nullptr, false);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed["a\"b"], 1);
}

}  // namespace
}  // namespace gale::common
