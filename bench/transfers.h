#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/gale_client.h"
#include "common/status.h"

namespace gale::bench {

// Moving bytes through the client library, for the data-path scenarios.

constexpr int64_t kSmallFileBytes = 64 << 10;

// `n` bytes that do not compress (a fixed seed: the same in every run).
std::string RandomBytes(size_t n);

// Makes `data` new content: (generation, offset) stamped at the start of
// every 64 KiB, so that no chunk of an upload repeats an earlier one's (the
// coordinator would answer "already stored" and no byte would move).
void Restamp(std::string* data, uint64_t generation);

// Runs `work(stream)` on `streams` threads; the first error wins.
Status OnStreams(int streams, const std::function<Status(int)>& work);

// Uploads `bytes` as the file `name` at `factor` in write mode sync (every
// copy durable before the commit), in chunks of `chunk` bytes.
Status UploadOne(client::GaleClient* client, std::string_view bytes, int factor, int64_t chunk,
                 const std::string& name);

// Downloads the file `name` (the client verifies every chunk and the whole
// file against their SHA-256); DATA_LOSS unless its SHA-256 is
// `expected_sha256`.
Status DownloadOne(client::GaleClient* client, const std::string& name,
                   const std::string& expected_sha256);

// Uploads `data` as `streams` files at once, named prefix + stream, one
// slice each, at `factor` in write mode sync (every copy durable before the
// commit); returns MiB/s.
Result<double> Upload(client::GaleClient* client, std::string_view data, int streams, int factor,
                      int64_t chunk, const std::string& prefix);

// Downloads what Upload stored (the client verifies every chunk and the
// whole file against their SHA-256) and checks each file's hash against
// `expected` (one per stream); returns MiB/s of `bytes` in all.
Result<double> Download(client::GaleClient* client, int streams, const std::string& prefix,
                        const std::vector<std::string>& expected, int64_t bytes);

// The SHA-256 of each of Upload's `streams` slices of `data`.
std::vector<std::string> SliceHashes(std::string_view data, int streams);

}  // namespace gale::bench
