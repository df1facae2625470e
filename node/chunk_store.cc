#include "node/chunk_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "absl/time/clock.h"
#include "common/file_util.h"
#include "common/ids.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::node {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWriteBuffer = 1 << 20;
constexpr int64_t kReadWindow = 16 * kBlockSize;  // 1 MiB

// Reads exactly `length` bytes at `offset`; DATA_LOSS on a short read.
Status PreadFully(int fd, char* out, int64_t length, int64_t offset, const std::string& path) {
  int64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out + done, static_cast<size_t>(length - done), offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return common::ErrnoStatus(errno, StrCat("read ", path));
    }
    if (n == 0) return absl::DataLossError(StrCat(path, " is shorter than its index says"));
    done += n;
  }
  return absl::OkStatus();
}

Status WriteFully(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return common::ErrnoStatus(errno, StrCat("write ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Creates `dir` if needed; when created, fsyncs its parent so the new entry
// survives a crash.
Status EnsureDurableDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    return common::SyncDirectory(fs::path(dir).parent_path().string());
  }
  if (errno == EEXIST) return absl::OkStatus();
  return common::ErrnoStatus(errno, StrCat("create directory ", dir));
}

// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

// ---------------------------------------------------------------- ChunkWriter

ChunkWriter::ChunkWriter(ChunkStore* store, std::string id, int64_t size, std::string tmp_path,
                         int fd, int64_t reserved)
    : store_(store),
      id_(std::move(id)),
      size_(size),
      tmp_path_(std::move(tmp_path)),
      fd_(fd),
      reserved_(reserved) {
  buffer_.reserve(static_cast<size_t>(std::min<int64_t>(size, kWriteBuffer)));
}

ChunkWriter::~ChunkWriter() { Abort(); }

void ChunkWriter::Abort() {
  if (done_) return;
  done_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_path_.c_str());
  store_->Release(reserved_);
}

Status ChunkWriter::Flush() {
  Status status = WriteFully(fd_, buffer_, tmp_path_);
  if (status.ok() && !buffer_.empty()) {
    // Start writeback of what was just written, so that the disk works while
    // the rest arrives and the final fdatasync has little left to wait for.
    ::sync_file_range(fd_, flushed_, static_cast<off_t>(buffer_.size()), SYNC_FILE_RANGE_WRITE);
    flushed_ += static_cast<off_t>(buffer_.size());
  }
  buffer_.clear();
  return status;
}

Status ChunkWriter::Append(std::string_view data) {
  if (done_) return absl::FailedPreconditionError("chunk write already finished");
  if (received_ + static_cast<int64_t>(data.size()) > size_) {
    return absl::InvalidArgumentError(
        StrCat("chunk ", id_, ": body is longer than the declared ", size_, " bytes"));
  }
  received_ += static_cast<int64_t>(data.size());
  sha_.Update(data);
  checksummer_.Update(data);
  buffer_.append(data);
  if (buffer_.size() >= kWriteBuffer) return Flush();
  return absl::OkStatus();
}

Result<bool> ChunkWriter::Commit() {
  if (done_) return absl::FailedPreconditionError("chunk write already finished");
  // Any failure below leaves nothing behind: the destructor aborts.
  if (received_ != size_) {
    return absl::InvalidArgumentError(
        StrCat("chunk ", id_, ": short body, got ", received_, " of ", size_, " bytes"));
  }
  std::string digest = sha_.HexDigest();
  if (digest != id_) {
    return absl::InvalidArgumentError(
        StrCat("chunk ", id_, ": the body's SHA-256 is ", digest, ", not the chunk id"));
  }
  buffer_.append(checksummer_.Trailer());
  RETURN_IF_ERROR(Flush());
  if (::fdatasync(fd_) != 0) return common::ErrnoStatus(errno, StrCat("fsync ", tmp_path_));
  ::close(fd_);
  fd_ = -1;
  Result<bool> installed = store_->Install(id_, tmp_path_, size_);
  if (installed.ok()) {
    done_ = true;
    store_->Release(reserved_);
  }
  return installed;
}

// ----------------------------------------------------------------- ChunkStore

ChunkStore::ChunkStore(ChunkStoreOptions options)
    : options_(std::move(options)), paths_(options_.data_dir) {
  std::random_device seed;
  next_tmp_ = (static_cast<uint64_t>(seed()) << 32) | seed();
}

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(ChunkStoreOptions options) {
  std::unique_ptr<ChunkStore> store(new ChunkStore(std::move(options)));
  const ChunkPaths& paths = store->paths_;
  for (const std::string& dir :
       {paths.data_dir(), paths.ChunksDir(), paths.TmpDir(), paths.QuarantineDir()}) {
    RETURN_IF_ERROR(common::CreateDirectories(dir));
  }
  struct statvfs vfs {};
  if (::statvfs(paths.data_dir().c_str(), &vfs) != 0) {
    return common::ErrnoStatus(errno, StrCat("statvfs ", paths.data_dir()));
  }
  store->fs_capacity_bytes_ = static_cast<int64_t>(vfs.f_blocks) * vfs.f_frsize;

  // Writes that a crash interrupted: never acknowledged, so never needed.
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(paths.TmpDir(), ec)) {
    fs::remove_all(entry.path(), ec);
    ++removed;
  }
  if (removed > 0) spdlog::info("removed {} leftover temp files", removed);
  RETURN_IF_ERROR(store->Scan());
  return store;
}

Status ChunkStore::Scan() {
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> malformed;  // id-ish name, path
  absl::MutexLock lock(&mu_);
  for (auto it = fs::recursive_directory_iterator(paths_.ChunksDir(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() < 2 || !it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    std::string path = it->path().string();
    int64_t file_size = static_cast<int64_t>(it->file_size(ec));
    auto length = DataLengthForFileSize(file_size);
    if (!common::ValidateChunkId(name).ok() || path != paths_.ChunkFile(name) || !length.ok()) {
      malformed.emplace_back(name, path);
      continue;
    }
    index_[name] = *length;
    bytes_used_ += *length;
  }
  if (ec) return common::ErrnoStatus(ec.value(), StrCat("scan ", paths_.ChunksDir()));
  for (const auto& [name, path] : malformed) {
    std::string target = StrCat(paths_.QuarantineDir(), "/malformed.",
                                absl::ToUnixMillis(absl::Now()), ".", next_tmp_++);
    spdlog::warn("quarantining malformed chunk file {} as {}", path, target);
    fs::rename(path, target, ec);
  }
  spdlog::info("chunk store {}: {} chunks, {} bytes", paths_.data_dir(), index_.size(),
               bytes_used_);
  return absl::OkStatus();
}

int64_t ChunkStore::AvailableLocked() const {
  int64_t capacity = options_.capacity_bytes > 0 ? options_.capacity_bytes : fs_capacity_bytes_;
  int64_t by_capacity = capacity - bytes_used_;
  struct statvfs vfs {};
  int64_t by_filesystem = by_capacity;
  if (::statvfs(paths_.data_dir().c_str(), &vfs) == 0) {
    by_filesystem = static_cast<int64_t>(vfs.f_bavail) * vfs.f_frsize - options_.reserve_bytes;
  }
  return std::max<int64_t>(0, std::min(by_capacity, by_filesystem));
}

ChunkStoreStats ChunkStore::Stats() const {
  absl::MutexLock lock(&mu_);
  ChunkStoreStats stats;
  stats.chunks = static_cast<int64_t>(index_.size());
  stats.bytes_used = bytes_used_;
  stats.capacity_bytes = options_.capacity_bytes > 0 ? options_.capacity_bytes : fs_capacity_bytes_;
  stats.available_bytes = std::max<int64_t>(0, AvailableLocked() - reserved_bytes_);
  return stats;
}

Result<std::unique_ptr<ChunkWriter>> ChunkStore::BeginWrite(std::string_view id, int64_t size) {
  RETURN_IF_ERROR(common::ValidateChunkId(id));
  if (size < 0 || size > options_.max_chunk_bytes) {
    return absl::InvalidArgumentError(
        StrCat("chunk size ", size, " is outside [0, ", options_.max_chunk_bytes, "] bytes"));
  }
  const int64_t needed = ChunkFileSize(size);
  {
    absl::MutexLock lock(&mu_);
    int64_t available = AvailableLocked() - reserved_bytes_;
    if (needed > available) {
      return absl::ResourceExhaustedError(StrCat("not enough space for a chunk of ", size,
                                                 " bytes: ", std::max<int64_t>(0, available),
                                                 " bytes writable within capacity and reserve"));
    }
    reserved_bytes_ += needed;
  }
  std::string tmp = paths_.TmpFile(id, next_tmp_++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    Status status = common::ErrnoStatus(errno, StrCat("create ", tmp));
    Release(needed);
    return status;
  }
  return std::unique_ptr<ChunkWriter>(
      new ChunkWriter(this, std::string(id), size, std::move(tmp), fd, needed));
}

void ChunkStore::Release(int64_t reserved) {
  absl::MutexLock lock(&mu_);
  reserved_bytes_ -= reserved;
}

Result<bool> ChunkStore::Install(const std::string& id, const std::string& tmp_path, int64_t size) {
  const std::string file = paths_.ChunkFile(id);
  {
    absl::MutexLock lock(&mu_);
    if (index_.contains(id)) {
      // Same id, same verified bytes: keep the copy in place.
      ::unlink(tmp_path.c_str());
      return false;
    }
  }
  const std::string dir = paths_.ChunkDir(id);
  RETURN_IF_ERROR(EnsureDurableDir(fs::path(dir).parent_path().string()));
  RETURN_IF_ERROR(EnsureDurableDir(dir));
  if (::rename(tmp_path.c_str(), file.c_str()) != 0) {
    return common::ErrnoStatus(errno, StrCat("rename ", tmp_path, " to ", file));
  }
  RETURN_IF_ERROR(common::SyncDirectory(dir));
  bool inserted;
  {
    absl::MutexLock lock(&mu_);
    inserted = index_.emplace(id, size).second;
    if (inserted) bytes_used_ += size;
  }
  if (inserted && listener_ != nullptr) listener_->OnStored(id, size);
  return inserted;
}

Result<int64_t> ChunkStore::Size(std::string_view id) const {
  RETURN_IF_ERROR(common::ValidateChunkId(id));
  absl::MutexLock lock(&mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return absl::NotFoundError(StrCat("chunk ", id, " is not stored here"));
  return it->second;
}

Result<bool> ChunkStore::Delete(std::string_view id) {
  RETURN_IF_ERROR(common::ValidateChunkId(id));
  const std::string file = paths_.ChunkFile(id);
  {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(id);
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
      return common::ErrnoStatus(errno, StrCat("delete ", file));
    }
    if (it == index_.end()) return false;
    bytes_used_ -= it->second;
    index_.erase(it);
  }
  if (listener_ != nullptr) listener_->OnDeleted(std::string(id));
  return true;
}

std::vector<ChunkInfo> ChunkStore::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<ChunkInfo> out;
  out.reserve(index_.size());
  for (const auto& [id, size] : index_) out.push_back({id, size});
  return out;
}

std::optional<ChunkInfo> ChunkStore::Next(std::string_view after) const {
  absl::MutexLock lock(&mu_);
  auto it = index_.upper_bound(after);
  if (it == index_.end()) return std::nullopt;
  return ChunkInfo{it->first, it->second};
}

Status ChunkStore::Quarantine(std::string_view id, const Status& why) {
  const std::string file = paths_.ChunkFile(id);
  const std::string target = paths_.QuarantineFile(id, absl::ToUnixMillis(absl::Now()));
  {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(id);
    if (it != index_.end()) {
      bytes_used_ -= it->second;
      index_.erase(it);
    }
    if (::rename(file.c_str(), target.c_str()) != 0) ::unlink(file.c_str());
  }
  corrupt_total_.fetch_add(1);
  if (listener_ != nullptr) listener_->OnCorrupt(std::string(id));
  spdlog::error("chunk {} failed verification and was quarantined: {}", id, why.message());
  return absl::DataLossError(StrCat("chunk ", id, " failed verification: ", why.message()));
}

Status ChunkStore::Read(std::string_view id, int64_t offset, int64_t length,
                        const std::function<bool(std::string_view)>& sink) {
  ASSIGN_OR_RETURN(int64_t size, Size(id));
  if (offset < 0 || length < 0 || offset > size || length > size - offset) {
    return absl::OutOfRangeError(
        StrCat("bytes [", offset, ", ", offset + length, ") are outside chunk of ", size));
  }
  const std::string file = paths_.ChunkFile(id);
  Fd fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return Quarantine(id, absl::NotFoundError("its file vanished"));
    return common::ErrnoStatus(errno, StrCat("open ", file));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return common::ErrnoStatus(errno, StrCat("stat ", file));
  if (st.st_size != ChunkFileSize(size)) {
    return Quarantine(id, absl::DataLossError(StrCat("file is ", st.st_size, " bytes")));
  }
  std::string trailer_bytes(static_cast<size_t>(st.st_size - size), '\0');
  Status status = PreadFully(fd.fd, trailer_bytes.data(), st.st_size - size, size, file);
  if (!status.ok()) return Quarantine(id, status);
  auto trailer = ParseTrailer(trailer_bytes, size);
  if (!trailer.ok()) return Quarantine(id, trailer.status());

  const int64_t end = offset + length;
  const int64_t end_aligned = std::min(size, (end + kBlockSize - 1) / kBlockSize * kBlockSize);
  std::string window;
  for (int64_t pos = offset / kBlockSize * kBlockSize; pos < end; pos += kReadWindow) {
    const int64_t n = std::min(kReadWindow, end_aligned - pos);
    window.resize(static_cast<size_t>(n));
    status = PreadFully(fd.fd, window.data(), n, pos, file);
    if (status.ok()) status = VerifyBlocks(*trailer, pos / kBlockSize, window);
    if (!status.ok()) return Quarantine(id, status);
    const int64_t from = std::max(offset, pos) - pos;
    const int64_t to = std::min(end, pos + n) - pos;
    if (!sink(std::string_view(window).substr(static_cast<size_t>(from),
                                              static_cast<size_t>(to - from)))) {
      return absl::CancelledError("reader went away");
    }
  }
  return absl::OkStatus();
}

Status ChunkStore::Verify(std::string_view id) {
  ASSIGN_OR_RETURN(int64_t size, Size(id));
  common::Sha256 sha;
  RETURN_IF_ERROR(Read(id, 0, size, [&](std::string_view piece) {
    sha.Update(piece);
    return true;
  }));
  std::string digest = sha.HexDigest();
  if (digest != id) {
    return Quarantine(id, absl::DataLossError(StrCat("its data hashes to ", digest)));
  }
  return absl::OkStatus();
}

}  // namespace gale::node
