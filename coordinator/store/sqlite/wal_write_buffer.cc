#include "coordinator/store/sqlite/wal_write_buffer.h"

#include <sqlite3.h>

#include <cstring>

namespace gale::coordinator {
namespace {

// Bytes gathered at most (30 frames of 4 KiB pages): the default VFS takes
// a write's size modulo 128 KiB (it keeps 17 bits of it), so every write it
// is given stays below that.
constexpr sqlite3_int64 kMaxGathered = 124 * 1024;

// A WAL file as this VFS opens it: SQLite's handle, whose methods are
// kWalMethods, then the gathered writes, then (at kRealOffset) the default
// VFS's handle of the file.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* real;
  char* data;              // kMaxGathered bytes (sqlite3_malloc64), or null
  sqlite3_int64 offset;    // where data[0] goes in the file
  sqlite3_int64 gathered;  // bytes in data
};

constexpr size_t kRealOffset = (sizeof(WalFile) + 15) & ~size_t{15};

sqlite3_vfs* Default(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

WalFile* AsWal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

int Flush(WalFile* wal) {
  if (wal->gathered == 0) return SQLITE_OK;
  const int rc = wal->real->pMethods->xWrite(wal->real, wal->data, static_cast<int>(wal->gathered),
                                             wal->offset);
  wal->gathered = 0;
  return rc;
}

int Close(sqlite3_file* file) {
  WalFile* wal = AsWal(file);
  const int flushed = Flush(wal);
  const int closed = wal->real->pMethods->xClose(wal->real);
  sqlite3_free(wal->data);
  wal->data = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(file);
  if (wal->gathered > 0 && offset < wal->offset + wal->gathered && offset + amount > wal->offset) {
    if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  }
  return wal->real->pMethods->xRead(wal->real, out, amount, offset);
}

int Write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(file);
  if (wal->gathered > 0 &&
      (offset != wal->offset + wal->gathered || wal->gathered + amount > kMaxGathered)) {
    if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  }
  if (wal->data == nullptr && amount <= kMaxGathered) {
    wal->data = static_cast<char*>(sqlite3_malloc64(kMaxGathered));
  }
  if (wal->data == nullptr || amount > kMaxGathered) {
    return wal->real->pMethods->xWrite(wal->real, in, amount, offset);
  }
  if (wal->gathered == 0) wal->offset = offset;
  std::memcpy(wal->data + wal->gathered, in, static_cast<size_t>(amount));
  wal->gathered += amount;
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* wal = AsWal(file);
  if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  return wal->real->pMethods->xTruncate(wal->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  WalFile* wal = AsWal(file);
  if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  return wal->real->pMethods->xSync(wal->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* wal = AsWal(file);
  if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  return wal->real->pMethods->xFileSize(wal->real, size);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  WalFile* wal = AsWal(file);
  if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  return wal->real->pMethods->xFileControl(wal->real, op, arg);
}

int Lock(sqlite3_file* file, int level) {
  sqlite3_file* real = AsWal(file)->real;
  return real->pMethods->xLock(real, level);
}

int Unlock(sqlite3_file* file, int level) {
  sqlite3_file* real = AsWal(file)->real;
  return real->pMethods->xUnlock(real, level);
}

int CheckReservedLock(sqlite3_file* file, int* out) {
  sqlite3_file* real = AsWal(file)->real;
  return real->pMethods->xCheckReservedLock(real, out);
}

int SectorSize(sqlite3_file* file) {
  sqlite3_file* real = AsWal(file)->real;
  return real->pMethods->xSectorSize(real);
}

int DeviceCharacteristics(sqlite3_file* file) {
  sqlite3_file* real = AsWal(file)->real;
  return real->pMethods->xDeviceCharacteristics(real);
}

// Version 1: SQLite maps no WAL file into memory and keeps its shared
// memory beside the database file, not the WAL.
const sqlite3_io_methods kWalMethods = {1,
                                        Close,
                                        Read,
                                        Write,
                                        Truncate,
                                        Sync,
                                        FileSize,
                                        Lock,
                                        Unlock,
                                        CheckReservedLock,
                                        FileControl,
                                        SectorSize,
                                        DeviceCharacteristics};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real_vfs = Default(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // The file is the default VFS's own, at the start of the handle.
    return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
  }
  WalFile* wal = AsWal(file);
  wal->base.pMethods = nullptr;  // SQLite closes only what opened
  wal->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  wal->data = nullptr;
  wal->offset = 0;
  wal->gathered = 0;
  const int rc = real_vfs->xOpen(real_vfs, name, wal->real, flags, out_flags);
  if (rc == SQLITE_OK) wal->base.pMethods = &kWalMethods;
  return rc;
}

// The rest of the VFS is the default one's.
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Default(vfs)->xDelete(Default(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Default(vfs)->xAccess(Default(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return Default(vfs)->xFullPathname(Default(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return Default(vfs)->xDlOpen(Default(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int size, char* out) {
  Default(vfs)->xDlError(Default(vfs), size, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Default(vfs)->xDlSym(Default(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { Default(vfs)->xDlClose(Default(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return Default(vfs)->xRandomness(Default(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Default(vfs)->xSleep(Default(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return Default(vfs)->xCurrentTime(Default(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return Default(vfs)->xGetLastError(Default(vfs), size, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Default(vfs)->xCurrentTimeInt64(Default(vfs), out);
}

sqlite3_vfs* Register() {
  sqlite3_vfs* real_vfs = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs = {2,  // iVersion: up to xCurrentTimeInt64
                            static_cast<int>(kRealOffset) + real_vfs->szOsFile,
                            real_vfs->mxPathname,
                            nullptr,
                            "gale-wal-buffer",
                            real_vfs,
                            Open,
                            Delete,
                            Access,
                            FullPathname,
                            DlOpen,
                            DlError,
                            DlSym,
                            DlClose,
                            Randomness,
                            Sleep,
                            CurrentTime,
                            GetLastError,
                            CurrentTimeInt64,
                            nullptr,
                            nullptr,
                            nullptr};
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  return &vfs;
}

}  // namespace

const char* WalWriteBufferVfs() {
  static sqlite3_vfs* vfs = Register();
  return vfs->zName;
}

}  // namespace gale::coordinator
