// main() of every Gale test binary: as the Gale binaries do, ignore SIGPIPE,
// so that a peer closing a connection mid-write is an error, not a crash
// (Debian's cpp-httplib client sends without MSG_NOSIGNAL).

#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
