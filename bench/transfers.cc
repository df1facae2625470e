#include "bench/transfers.h"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bench/stats.h"
#include "common/sha256.h"
#include "common/strings.h"

namespace gale::bench {

std::string RandomBytes(size_t n) {
  std::string data(n, '\0');
  std::mt19937_64 rng(42);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&data[i], &v, 8);
  }
  return data;
}

void Restamp(std::string* data, uint64_t generation) {
  for (size_t at = 0; at + 16 <= data->size(); at += kSmallFileBytes) {
    uint64_t words[2] = {generation, at};
    std::memcpy(data->data() + at, words, sizeof(words));
  }
}

Status OnStreams(int streams, const std::function<Status(int)>& work) {
  std::mutex mu;
  Status first;
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      Status status = work(s);
      std::lock_guard<std::mutex> lock(mu);
      if (first.ok()) first = status;
    });
  }
  for (std::thread& t : threads) t.join();
  return first;
}

Status UploadOne(client::GaleClient* client, std::string_view bytes, int factor, int64_t chunk,
                 const std::string& name) {
  std::FILE* in = ::fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "r");
  if (in == nullptr) return absl::InternalError("fmemopen failed");
  client::CreateFileArgs args;
  args.name = name;
  args.size = static_cast<int64_t>(bytes.size());
  args.replication_factor = factor;
  args.write_mode = "sync";  // every copy durable before the commit
  args.chunk_size = chunk;
  auto info = client->Upload(args, in);
  std::fclose(in);
  RETURN_IF_ERROR(info.status());
  if (info->size != args.size) return absl::DataLossError("uploaded size differs");
  return absl::OkStatus();
}

Status DownloadOne(client::GaleClient* client, const std::string& name,
                   const std::string& expected_sha256) {
  std::FILE* out = std::fopen("/dev/null", "w");
  if (out == nullptr) return absl::InternalError("cannot open /dev/null");
  auto info = client->DownloadToStream(name, out);
  std::fclose(out);
  RETURN_IF_ERROR(info.status());
  if (info->sha256 != expected_sha256) {
    return absl::DataLossError(StrCat("file ", name, " read back with another SHA-256"));
  }
  return absl::OkStatus();
}

Result<double> Upload(client::GaleClient* client, std::string_view data, int streams, int factor,
                      int64_t chunk, const std::string& prefix) {
  const size_t slice = data.size() / static_cast<size_t>(streams);
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(OnStreams(streams, [&](int s) -> Status {
    return UploadOne(client, data.substr(static_cast<size_t>(s) * slice, slice), factor, chunk,
                     StrCat(prefix, s));
  }));
  return static_cast<double>(slice * static_cast<size_t>(streams)) / kMiB /
         absl::ToDoubleSeconds(absl::Now() - start);
}

Result<double> Download(client::GaleClient* client, int streams, const std::string& prefix,
                        const std::vector<std::string>& expected, int64_t bytes) {
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(OnStreams(streams, [&](int s) -> Status {
    return DownloadOne(client, StrCat(prefix, s), expected[static_cast<size_t>(s)]);
  }));
  return static_cast<double>(bytes) / kMiB / absl::ToDoubleSeconds(absl::Now() - start);
}

std::vector<std::string> SliceHashes(std::string_view data, int streams) {
  const size_t slice = data.size() / static_cast<size_t>(streams);
  std::vector<std::string> out;
  for (int s = 0; s < streams; ++s) {
    out.push_back(common::Sha256::Hex(data.substr(static_cast<size_t>(s) * slice, slice)));
  }
  return out;
}

}  // namespace gale::bench
