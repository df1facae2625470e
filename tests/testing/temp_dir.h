#pragma once

#include <string>

namespace gale::testing {

// A fresh directory under $TMPDIR (default /tmp), removed with its contents on
// destruction unless GALE_KEEP_TEST_DIRS is set or KeepOnExit() was called
// (tests call it on failure so the logs stay for inspection). Not thread-safe.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }
  void KeepOnExit() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace gale::testing
