// The coordinator's layer rules (docs/DESIGN.md, "Layers"), checked on every
// #include line under coordinator/: api -> domain (cluster, files, repair)
// -> store (with the in-memory index in store/memory/), the two backends
// beside each other under store/, and the owner
// (coordinator.{h,cc}, coordinator_main.cc) above them all. A violation names
// the file, the line and the rule it breaks.

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

namespace fs = std::filesystem;

enum class Layer { kOutside, kOwner, kApi, kDomain, kStore, kSqlite, kPostgres, kUnknown };

// The files the owner layer consists of: nothing else sits directly in
// coordinator/.
const std::set<std::string> kOwnerFiles = {"coordinator.h",         "coordinator.cc",
                                           "coordinator_options.h", "coordinator_options.cc",
                                           "coordinator_main.cc",   "service_context.h"};

// The owner's headers that the adapters take as their input.
const std::set<std::string> kOwnerHeadersForApi = {"coordinator/service_context.h"};

// The one store file that may open either backend.
const std::set<std::string> kBackendChoosers = {"coordinator/store/store_factory.h",
                                                "coordinator/store/store_factory.cc"};

// `path` relative to the source root ("coordinator/files/file_service.h").
Layer LayerOf(std::string_view path) {
  if (!path.starts_with("coordinator/")) return Layer::kOutside;
  path.remove_prefix(std::string_view("coordinator/").size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    return kOwnerFiles.contains(std::string(path)) ? Layer::kOwner : Layer::kUnknown;
  }
  const std::string_view folder = path.substr(0, slash);
  if (folder == "api") return Layer::kApi;
  if (folder == "cluster" || folder == "files" || folder == "repair") return Layer::kDomain;
  if (folder != "store") return Layer::kUnknown;
  path.remove_prefix(slash + 1);
  if (path.starts_with("sqlite/")) return Layer::kSqlite;
  if (path.starts_with("postgres/")) return Layer::kPostgres;
  // store/memory/: the in-memory index over either backend, through the interface.
  if (path.starts_with("memory/")) path.remove_prefix(std::string_view("memory/").size());
  return path.find('/') == std::string_view::npos ? Layer::kStore : Layer::kUnknown;
}

// Libraries that belong to one layer alone.
bool IsGrpcOrProto(std::string_view header) {
  return header.starts_with("proto/") || header.starts_with("grpcpp/") || header.ends_with(".pb.h");
}
bool IsHttplib(std::string_view header) { return header == "httplib.h"; }
bool IsSqlite(std::string_view header) { return header == "sqlite3.h"; }
bool IsPqxx(std::string_view header) { return header.starts_with("pqxx/"); }

// "" when `file` (in its layer) may include `header`; otherwise the rule.
std::string Check(const std::string& file, const std::string& header) {
  const Layer from = LayerOf(file);
  const Layer to = LayerOf(header);
  switch (from) {
    case Layer::kOutside:
    case Layer::kOwner:
      return "";
    case Layer::kUnknown:
      return "coordinator/ holds only the owner's files and the layer folders api/, cluster/, "
             "files/, repair/, store/{sqlite,postgres,memory}/";
    case Layer::kApi:
      if (to == Layer::kOwner && !kOwnerHeadersForApi.contains(header)) {
        return "api/ includes nothing of the owner but service_context.h";
      }
      if (to == Layer::kSqlite || to == Layer::kPostgres || IsSqlite(header) || IsPqxx(header)) {
        return "api/ reaches the database only through the MetadataStore interface";
      }
      return "";
    case Layer::kDomain:
      if (to == Layer::kOwner || to == Layer::kApi) {
        return "the domain (cluster/, files/, repair/) includes nothing above it";
      }
      if (to == Layer::kSqlite || to == Layer::kPostgres) {
        return "the domain uses the MetadataStore interface, never a backend";
      }
      if (IsGrpcOrProto(header) || IsHttplib(header)) {
        return "the domain uses plain structs: gRPC, protobuf and httplib belong to api/";
      }
      if (IsSqlite(header) || IsPqxx(header)) {
        return "the domain never includes a database library";
      }
      return "";
    case Layer::kStore:
    case Layer::kSqlite:
    case Layer::kPostgres: {
      if (to == Layer::kOwner || to == Layer::kApi || to == Layer::kDomain) {
        return "store/ includes nothing above it";
      }
      if (IsGrpcOrProto(header) || IsHttplib(header)) {
        return "store/ uses plain structs: gRPC, protobuf and httplib belong to api/";
      }
      const bool chooser = kBackendChoosers.contains(file);
      if ((to == Layer::kSqlite || IsSqlite(header)) && from != Layer::kSqlite && !chooser) {
        return "only store/sqlite/ (and store_factory) includes SQLite";
      }
      if ((to == Layer::kPostgres || IsPqxx(header)) && from != Layer::kPostgres && !chooser) {
        return "only store/postgres/ (and store_factory) includes libpqxx";
      }
      return "";
    }
  }
  return "";
}

// Every #include of `contents` (the text of `file`) that breaks a rule, as
// "file:line: #include <header>: rule".
std::vector<std::string> Violations(const std::string& file, const std::string& contents) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::vector<std::string> out;
  if (LayerOf(file) == Layer::kUnknown) {
    out.push_back(file + ": " + Check(file, ""));
    return out;
  }
  std::istringstream lines(contents);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::smatch match;
    if (!std::regex_search(line, match, kInclude)) continue;
    const std::string header = match[1];
    if (std::string rule = Check(file, header); !rule.empty()) {
      out.push_back(file + ":" + std::to_string(number) + ": #include " + header + ": " + rule);
    }
  }
  return out;
}

TEST(LayersTest, EveryCoordinatorIncludeFollowsTheLayers) {
  const fs::path root = GALE_SOURCE_DIR;
  std::vector<std::string> violations;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "coordinator")) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream contents;
    contents << in.rdbuf();
    const std::string relative = entry.path().lexically_relative(root).generic_string();
    for (std::string& v : Violations(relative, contents.str())) violations.push_back(v);
  }
  EXPECT_GT(files, 50) << "the coordinator's sources were not found under " << root;
  EXPECT_THAT(violations, ::testing::IsEmpty());
}

// The checker itself: each rule catches what it is for, and names the file
// and line.
TEST(LayersTest, ForbiddenIncludesAreNamedWithFileAndLine) {
  const std::string pb = "#include <vector>\n#include \"proto/coordinator.pb.h\"\n";
  EXPECT_THAT(Violations("coordinator/files/chunk_report.h", pb),
              ::testing::ElementsAre(::testing::StartsWith(
                  "coordinator/files/chunk_report.h:2: #include proto/coordinator.pb.h: the "
                  "domain uses plain structs")));
  EXPECT_THAT(Violations("coordinator/store/metadata_store.h", pb), ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/api/grpc_service.h", pb), ::testing::IsEmpty());

  EXPECT_THAT(Violations("coordinator/cluster/node_registry.cc", "#include \"httplib.h\"\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/repair/task_ledger.cc", "  #  include <pqxx/pqxx>\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/files/file_service.cc", "#include <sqlite3.h>\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/files/file_service.cc",
                         "#include \"coordinator/store/sqlite/sqlite_store.h\"\n"
                         "#include \"coordinator/api/rest_api.h\"\n"
                         "#include \"coordinator/coordinator.h\"\n"
                         "#include \"coordinator/store/metadata_store.h\"\n"
                         "#include \"coordinator/repair/task_ledger.h\"\n"),
              ::testing::ElementsAre(::testing::HasSubstr(":1: "), ::testing::HasSubstr(":2: "),
                                     ::testing::HasSubstr(":3: ")));

  // The store looks at nothing above it; the backends not at each other.
  EXPECT_THAT(Violations("coordinator/store/metadata_store.h",
                         "#include \"coordinator/cluster/node_registry.h\"\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/store/sqlite/sqlite_store.cc",
                         "#include \"coordinator/store/postgres/pg_pool.h\"\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/store/postgres/pg_pool.cc", "#include <sqlite3.h>\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/store/sqlite/sqlite_db.cc", "#include <sqlite3.h>\n"),
              ::testing::IsEmpty());
  // The in-memory index is of the store layer and sees the backends only
  // through the interface.
  EXPECT_THAT(Violations("coordinator/store/memory/cached_store.cc",
                         "#include \"coordinator/store/metadata_store.h\"\n"
                         "#include \"coordinator/store/sqlite/sqlite_store.h\"\n"
                         "#include \"coordinator/files/file_service.h\"\n"),
              ::testing::ElementsAre(::testing::HasSubstr(":2: "), ::testing::HasSubstr(":3: ")));
  EXPECT_THAT(Violations("coordinator/store/store_factory.cc",
                         "#include \"coordinator/store/postgres/postgres_store.h\"\n"
                         "#include \"coordinator/store/sqlite/sqlite_store.h\"\n"),
              ::testing::IsEmpty());
  EXPECT_THAT(Violations("coordinator/store/store_schema.cc",
                         "#include \"coordinator/store/sqlite/sqlite_store.h\"\n"),
              ::testing::SizeIs(1));

  // The adapters reach the owner only through ServiceContext, and the
  // database only through the store interface.
  EXPECT_THAT(Violations("coordinator/api/rest_api.cc",
                         "#include \"coordinator/service_context.h\"\n"
                         "#include \"coordinator/coordinator.h\"\n"
                         "#include \"coordinator/store/postgres/pg_connection.h\"\n"),
              ::testing::ElementsAre(::testing::HasSubstr(":2: "), ::testing::HasSubstr(":3: ")));

  // Nothing but the owner's files sits directly in coordinator/, and no
  // folder outside the layers.
  EXPECT_THAT(Violations("coordinator/placement_policy.cc", ""), ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/util/helpers.h", ""), ::testing::SizeIs(1));
  EXPECT_THAT(Violations("coordinator/coordinator.cc", pb), ::testing::IsEmpty());
}

}  // namespace
