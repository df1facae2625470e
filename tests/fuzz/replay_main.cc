// A driver for the fuzz targets without libFuzzer (any compiler): runs
// LLVMFuzzerTestOneInput on every seed given (files, or directories of them),
// and
// on a bounded number of deterministic mutations of each (bit flips, byte
// changes, truncations, insertions, splices of two seeds), so that `make
// test` exercises every target briefly. `make fuzz` runs the real,
// coverage-guided fuzzer. Exit 0 unless a target crashes.
//
//   fuzz_<target>_replay [--mutations N] DIR|FILE...

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  // A copy of exactly the input's size, so that reads past it are caught
  // by sanitizers.
  std::vector<uint8_t> copy(input.begin(), input.end());
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

std::string Mutate(const std::string& seed, const std::string& other, std::mt19937_64& rng) {
  std::string out = seed;
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:
        if (!out.empty()) out[pick(out.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!out.empty()) out[pick(out.size())] = static_cast<char>(rng());
        break;
      case 2:
        out.resize(pick(out.size() + 1));
        break;
      case 3:
        out.insert(pick(out.size() + 1), 1 + pick(8), static_cast<char>(rng()));
        break;
      case 4: {
        const size_t at = pick(out.size() + 1);
        out = out.substr(0, at) + other.substr(pick(other.size() + 1));
        break;
      }
      default: {
        // Repeat a piece: deep nesting, long strings.
        const size_t from = pick(out.size() + 1);
        const std::string piece = out.substr(from, 1 + pick(16));
        for (int r = 0; r < 1 + static_cast<int>(rng() % 64); ++r) out.insert(from, piece);
        break;
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = 3000;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
      mutations = std::atoi(argv[++i]);
      continue;
    }
    auto read = [&](const std::filesystem::path& path) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      seeds.push_back(bytes.str());
    };
    std::error_code ec;
    if (std::filesystem::is_regular_file(argv[i], ec)) {
      read(argv[i]);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(argv[i], ec)) {
      if (entry.is_regular_file()) read(entry.path());
    }
    if (ec) {
      std::fprintf(stderr, "cannot read corpus %s: %s\n", argv[i], ec.message().c_str());
      return 2;
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seeds given\n");
    return 2;
  }
  std::mt19937_64 rng(20261202);
  long runs = 0;
  Run("");
  for (const std::string& seed : seeds) {
    Run(seed);
    ++runs;
    for (int m = 0; m < mutations; ++m, ++runs) {
      Run(Mutate(seed, seeds[rng() % seeds.size()], rng));
    }
  }
  std::printf("%ld inputs from %zu seeds ran cleanly\n", runs, seeds.size());
  return 0;
}
