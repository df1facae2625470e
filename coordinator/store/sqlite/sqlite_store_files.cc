// SqliteStore: files, chunks and replicas (see metadata_store.h).

#include <map>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "coordinator/store/store_schema.h"
#include "nlohmann/json.hpp"

namespace gale::coordinator {
namespace {

Result<FileRecord> ReadFile(const SqliteStatement& row) {
  FileRecord f;
  f.id = row.Text(0);
  f.name = row.Text(1);
  f.size = row.Int(2);
  f.sha256 = row.Text(3);
  f.chunk_size = row.Int(4);
  f.replication_factor = static_cast<int>(row.Int(5));
  ASSIGN_OR_RETURN(f.write_mode, ParseWriteMode(row.Text(6)));
  ASSIGN_OR_RETURN(f.state, ParseFileState(row.Text(7)));
  f.overwrite = row.Int(8) != 0;
  f.auto_commit = row.Int(9) != 0;
  f.owner = row.Text(10);
  f.created_at = absl::FromUnixMillis(row.Int(11));
  f.expires_at = absl::FromUnixMillis(row.Int(12));
  f.committed_at = absl::FromUnixMillis(row.Int(13));
  f.last_accessed = absl::FromUnixMillis(row.Int(14));
  f.chunk_count = row.Int(15);
  return f;
}

// Every remaining row of `stmt`, each read by `read`.
template <typename T, typename Read>
Result<std::vector<T>> ReadRows(SqliteStatement& stmt, Read read) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(T value, read(stmt));
    out.push_back(std::move(value));
  }
}

// Reads every row of `stmt` as a file.
Result<std::vector<FileRecord>> ReadFiles(SqliteStatement& stmt) {
  return ReadRows<FileRecord>(stmt, &ReadFile);
}

std::string JsonArray(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ReplicaRecord> ReadReplica(const SqliteStatement& row) {
  ASSIGN_OR_RETURN(ReplicaState state, ParseReplicaState(row.Text(2)));
  return ReplicaRecord{row.Text(0), row.Text(1), state};
}

// The first column of every remaining row.
Result<std::vector<std::string>> ReadTexts(SqliteStatement& stmt) {
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back(stmt.Text(0));
  }
}

// The key of the row that `find` (bound, not stepped) selects, else of the
// row `insert` (bound; RETURNING seq) makes. A lookup writes nothing: an
// upsert would rewrite the row and its index entry on every call.
Result<int64_t> FindOrInsertKey(SqliteStatement& find, SqliteStatement& insert,
                                std::string_view what) {
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (found) return find.Int(0);
  ASSIGN_OR_RETURN(bool made, insert.Step());
  if (!made) return absl::InternalError(StrCat("no key for ", what));
  return insert.Int(0);
}

// A file's chunk count, after kFileFields.
constexpr std::string_view kChunkCount =
    ", (SELECT count(*) FROM file_chunks fc WHERE fc.file = f.seq)";

// The factor of a chunk (a row of `chunks`) from the files naming it but the
// references that `exclude` (a condition on file_chunks `fc`) leaves out:
// the highest of theirs, or its last when none is left.
std::string FactorOfOtherFiles(std::string_view exclude) {
  return StrCat(
      "coalesce((SELECT max(f.replication_factor) FROM file_chunks fc JOIN files f ON "
      "f.seq = fc.file WHERE fc.chunk = chunks.seq AND NOT (",
      exclude, ")), replication_factor)");
}

}  // namespace

Result<int64_t> SqliteStore::FileKeyIn(SqliteDb& db, std::string_view file_id) {
  ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT seq FROM files WHERE id = ?"));
  stmt->Bind(1, file_id);
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return NoSuchFile(file_id);
  return stmt->Int(0);
}

Result<int64_t> SqliteStore::ChunkKeyIn(SqliteDb& db, std::string_view chunk_id) {
  RETURN_IF_ERROR(common::ValidateChunkId(chunk_id));
  ASSIGN_OR_RETURN(auto find, db.Prepare("SELECT seq FROM chunks WHERE id = unhex(?)"));
  ASSIGN_OR_RETURN(auto insert,
                   db.Prepare("INSERT INTO chunks (id) VALUES (unhex(?)) RETURNING seq"));
  find->Bind(1, chunk_id);
  insert->Bind(1, chunk_id);
  return FindOrInsertKey(*find, *insert, StrCat("chunk ", chunk_id));
}

Result<int64_t> SqliteStore::NodeKeyIn(SqliteDb& db, std::string_view node_id) {
  ASSIGN_OR_RETURN(auto find, db.Prepare("SELECT seq FROM node_keys WHERE id = ?"));
  ASSIGN_OR_RETURN(auto insert, db.Prepare("INSERT INTO node_keys (id) VALUES (?) RETURNING seq"));
  find->Bind(1, node_id);
  insert->Bind(1, node_id);
  return FindOrInsertKey(*find, *insert, StrCat("node ", node_id));
}

Status SqliteStore::ForgetUnknownChunksIn(SqliteDb& db) {
  ASSIGN_OR_RETURN(auto stmt, db.Prepare("DELETE FROM chunks WHERE refcount IS NULL AND NOT "
                                         "EXISTS (SELECT 1 FROM replicas r WHERE r.chunk = "
                                         "chunks.seq)"));
  return stmt->Run();
}

Status SqliteStore::InsertFile(const FileRecord& f) {
  return Write([&](SqliteDb& db) { return InsertFileIn(db, f).status(); });
}

Result<int64_t> SqliteStore::InsertFileIn(SqliteDb& db, const FileRecord& f) {
  ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("INSERT INTO files (id, name, size, sha256, chunk_size, replication_factor, "
                 "write_mode, state, overwrite, auto_commit, owner, created_at_ms, "
                 "expires_at_ms, committed_at_ms, last_accessed_ms) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq"));
  stmt->Bind(1, f.id)
      .Bind(2, f.name)
      .Bind(3, f.size)
      .Bind(4, f.sha256)
      .Bind(5, f.chunk_size)
      .Bind(6, int64_t{f.replication_factor})
      .Bind(7, WriteModeName(f.write_mode))
      .Bind(8, FileStateName(f.state))
      .Bind(9, int64_t{f.overwrite})
      .Bind(10, int64_t{f.auto_commit})
      .Bind(11, f.owner)
      .Bind(12, absl::ToUnixMillis(f.created_at))
      .Bind(13, absl::ToUnixMillis(f.expires_at))
      .Bind(14, absl::ToUnixMillis(f.committed_at))
      .Bind(15, absl::ToUnixMillis(f.last_accessed));
  Result<bool> row = stmt->Step();
  if (!row.ok() && ToStd(row.status().message()).find("UNIQUE") != std::string_view::npos) {
    return absl::AlreadyExistsError(StrCat("file id ", f.id, " is taken"));
  }
  RETURN_IF_ERROR(row.status());
  if (!*row) return absl::InternalError(StrCat("no key for file ", f.id));
  return stmt->Int(0);
}

Result<FileRecord> SqliteStore::GetFile(std::string_view file_id) {
  return Read([&](SqliteDb& db) -> Result<FileRecord> { return GetFileIn(db, file_id); });
}

Result<FileRecord> SqliteStore::GetFileIn(SqliteDb& db, std::string_view file_id) {
  ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kFileFields, kChunkCount,
                                                " FROM files f WHERE f.id = ?")));
  stmt->Bind(1, file_id);
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return NoSuchFile(file_id);
  return ReadFile(*stmt);
}

Result<FileRecord> SqliteStore::GetFileByName(std::string_view name) {
  if (name.empty()) return NoFileNamed(name);  // objects' files
  return Read([&](SqliteDb& db) -> Result<FileRecord> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kFileFields, kChunkCount,
                                                  " FROM files f WHERE f.name = ? AND "
                                                  "f.state = 'complete'")));
    stmt->Bind(1, name);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoFileNamed(name);
    return ReadFile(*stmt);
  });
}

Result<std::vector<FileRecord>> SqliteStore::ListFiles(const FileListQuery& q) {
  return Read([&](SqliteDb& db) -> Result<std::vector<FileRecord>> {
    // The prefix is a range on the name; "" as its end means unbounded.
    const std::string end = Utf8PrefixEnd(q.prefix).value_or("");
    if (q.by_time) {
      ASSIGN_OR_RETURN(
          auto stmt,
          db.Prepare(StrCat("SELECT ", kFileFields, kChunkCount,
                            " FROM files f WHERE f.state = 'complete' AND f.name >= ?1 AND "
                            "f.name <> '' AND (?2 = '' OR f.name < ?2) AND "
                            "(f.committed_at_ms > ?3 OR "
                            "(f.committed_at_ms = ?3 AND f.id > ?4)) "
                            "ORDER BY f.committed_at_ms, f.id LIMIT ?5")));
      stmt->Bind(1, q.prefix).Bind(2, end).Bind(3, q.after_time_ms).Bind(4, q.after_id);
      stmt->Bind(5, int64_t{q.limit});
      return ReadFiles(*stmt);
    }
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kFileFields, kChunkCount,
                                                  " FROM files f WHERE f.state = 'complete' AND "
                                                  "f.name >= ?1 AND (?2 = '' OR f.name < ?2) AND "
                                                  "f.name > ?3 AND f.name <> '' "
                                                  "ORDER BY f.name LIMIT ?4")));
    stmt->Bind(1, q.prefix).Bind(2, end).Bind(3, q.after_name).Bind(4, int64_t{q.limit});
    return ReadFiles(*stmt);
  });
}

Result<int64_t> SqliteStore::ReferenceChunkIn(SqliteDb& db, std::string_view chunk_id, int64_t size,
                                              int factor, absl::Time now) {
  RETURN_IF_ERROR(common::ValidateChunkId(chunk_id));
  ASSIGN_OR_RETURN(auto find,
                   db.Prepare("SELECT seq, size, refcount FROM chunks WHERE id = unhex(?)"));
  find->Bind(1, chunk_id);
  ASSIGN_OR_RETURN(bool exists, find->Step());
  if (!exists || find->IsNull(2)) {
    // New, or known only from nodes' reports: its row starts now.
    find.reset();
    ASSIGN_OR_RETURN(auto insert,
                     db.Prepare("INSERT INTO chunks (id, size, refcount, created_at_ms, "
                                "replication_factor) VALUES (unhex(?1), ?2, 1, ?3, ?4) ON "
                                "CONFLICT (id) DO UPDATE SET size = ?2, refcount = 1, "
                                "created_at_ms = ?3, unreferenced_since_ms = NULL, "
                                "replication_factor = ?4 RETURNING seq"));
    insert->Bind(1, chunk_id).Bind(2, size).Bind(3, absl::ToUnixMillis(now));
    insert->Bind(4, int64_t{factor});
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) return absl::InternalError(StrCat("no key for chunk ", chunk_id));
    return insert->Int(0);
  }
  const int64_t seq = find->Int(0);
  const int64_t known_size = find->Int(1);
  const int64_t refcount = find->Int(2);
  find.reset();
  if (known_size != size) {
    return absl::InvalidArgumentError(
        StrCat("chunk ", chunk_id, " is ", known_size, " bytes, not ", size));
  }
  // The highest factor among the files referencing it; a chunk referenced
  // again after being unreferenced starts from its new file's.
  ASSIGN_OR_RETURN(auto bump,
                   db.Prepare("UPDATE chunks SET refcount = refcount + 1, "
                              "unreferenced_since_ms = NULL, replication_factor = CASE WHEN "
                              "refcount = 0 THEN ?1 ELSE max(replication_factor, ?1) END "
                              "WHERE seq = ?2"));
  bump->Bind(1, int64_t{factor}).Bind(2, seq);
  RETURN_IF_ERROR(bump->Run());
  if (refcount > 0) return seq;
  // Referenced again while waiting for garbage collection: deletes not yet
  // handed to a node are cancelled; those already sent will still happen,
  // and their replicas stay "deleting" (not counted, not targeted).
  ASSIGN_OR_RETURN(auto restore,
                   db.Prepare("UPDATE replicas SET state = 'stored' WHERE chunk = ?1 AND "
                              "state = 'deleting' AND node IN (SELECT k.seq FROM tasks t JOIN "
                              "node_keys k ON k.id = t.node_id WHERE t.chunk_id = ?2 AND "
                              "t.kind = 'delete' AND t.state = 'pending')"));
  restore->Bind(1, seq).Bind(2, chunk_id);
  RETURN_IF_ERROR(restore->Run());
  ASSIGN_OR_RETURN(auto cancel, db.Prepare("DELETE FROM tasks WHERE chunk_id = ? AND "
                                           "kind = 'delete' AND state = 'pending'"));
  cancel->Bind(1, chunk_id);
  RETURN_IF_ERROR(cancel->Run());
  return seq;
}

Status SqliteStore::ReleaseChunkIn(SqliteDb& db, int64_t chunk, int64_t file, int64_t index,
                                   absl::Time now) {
  ASSIGN_OR_RETURN(auto release,
                   db.Prepare(StrCat("UPDATE chunks SET refcount = refcount - 1, "
                                     "unreferenced_since_ms = CASE WHEN refcount = 1 THEN ?1 ELSE "
                                     "unreferenced_since_ms END, replication_factor = ",
                                     FactorOfOtherFiles("fc.file = ?3 AND fc.idx = ?4"),
                                     " WHERE seq = ?2 AND refcount > 0")));
  release->Bind(1, absl::ToUnixMillis(now)).Bind(2, chunk).Bind(3, file).Bind(4, index);
  return release->Run();
}

Status SqliteStore::AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                                 absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(FileRecord file, GetFileIn(db, file_id));
    if (file.state != FileState::kPending) {
      return absl::FailedPreconditionError(StrCat("file ", file_id, " is already committed"));
    }
    ASSIGN_OR_RETURN(const int64_t file_key, FileKeyIn(db, file_id));
    for (const FileChunkRef& chunk : chunks) {
      ASSIGN_OR_RETURN(auto existing,
                       db.Prepare("SELECT fc.chunk, lower_hex(c.id) FROM file_chunks fc JOIN "
                                  "chunks c ON c.seq = fc.chunk WHERE fc.file = ? AND fc.idx = ?"));
      existing->Bind(1, file_key).Bind(2, chunk.index);
      ASSIGN_OR_RETURN(bool had, existing->Step());
      const int64_t previous = had ? existing->Int(0) : 0;
      const bool same = had && existing->Text(1) == chunk.chunk_id;
      existing.reset();
      if (same) continue;  // a retried allocation
      if (had) RETURN_IF_ERROR(ReleaseChunkIn(db, previous, file_key, chunk.index, now));
      ASSIGN_OR_RETURN(const int64_t chunk_key, ReferenceChunkIn(db, chunk.chunk_id, chunk.size,
                                                                 file.replication_factor, now));
      ASSIGN_OR_RETURN(auto upsert, db.Prepare("INSERT OR REPLACE INTO file_chunks (file, idx, "
                                               "chunk, size) VALUES (?, ?, ?, ?)"));
      upsert->Bind(1, file_key).Bind(2, chunk.index).Bind(3, chunk_key).Bind(4, chunk.size);
      RETURN_IF_ERROR(upsert->Run());
    }
    return absl::OkStatus();
  });
}

Result<std::vector<FileChunkRef>> SqliteStore::GetFileChunks(std::string_view file_id) {
  return Read([&](SqliteDb& db) -> Result<std::vector<FileChunkRef>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT fc.idx, lower_hex(c.id), fc.size FROM file_chunks fc "
                                "JOIN chunks c ON c.seq = fc.chunk WHERE fc.file = (SELECT seq "
                                "FROM files WHERE id = ?) ORDER BY fc.idx"));
    stmt->Bind(1, file_id);
    std::vector<FileChunkRef> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      out.push_back({stmt->Int(0), stmt->Text(1), stmt->Int(2)});
    }
  });
}

Status SqliteStore::DeleteFileIn(SqliteDb& db, std::string_view file_id, absl::Time now) {
  ASSIGN_OR_RETURN(const int64_t file_key, FileKeyIn(db, file_id));
  // A chunk can appear several times in one file: release each reference;
  // its factor becomes the other files'.
  ASSIGN_OR_RETURN(
      auto release,
      db.Prepare(StrCat("UPDATE chunks SET refcount = refcount - (SELECT count(*) FROM file_chunks "
                        "fc WHERE fc.file = ?1 AND fc.chunk = chunks.seq), "
                        "unreferenced_since_ms = CASE WHEN refcount = (SELECT count(*) FROM "
                        "file_chunks fc WHERE fc.file = ?1 AND fc.chunk = chunks.seq) THEN ?2 "
                        "ELSE unreferenced_since_ms END, replication_factor = ",
                        FactorOfOtherFiles("fc.file = ?1"),
                        " WHERE seq IN (SELECT chunk FROM file_chunks WHERE file = ?1)")));
  release->Bind(1, file_key).Bind(2, absl::ToUnixMillis(now));
  RETURN_IF_ERROR(release->Run());
  ASSIGN_OR_RETURN(auto drop_chunks, db.Prepare("DELETE FROM file_chunks WHERE file = ?"));
  drop_chunks->Bind(1, file_key);
  RETURN_IF_ERROR(drop_chunks->Run());
  ASSIGN_OR_RETURN(auto drop_file, db.Prepare("DELETE FROM files WHERE seq = ?"));
  drop_file->Bind(1, file_key);
  return drop_file->Run();
}

Result<std::string> SqliteStore::CommitFile(std::string_view file_id, int64_t size,
                                            std::string_view sha256, absl::Time now) {
  std::string replaced;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(const FileRecord file, GetFileIn(db, file_id));
    return CommitFileIn(db, file, size, sha256, now, &replaced);
  }));
  return replaced;
}

Status SqliteStore::CommitFileIn(SqliteDb& db, const FileRecord& file, int64_t size,
                                 std::string_view sha256, absl::Time now, std::string* replaced) {
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file.id, " is already committed"));
  }
  // A nameless file (an object's) replaces no other.
  ASSIGN_OR_RETURN(auto other, db.Prepare("SELECT id FROM files WHERE name = ? AND "
                                          "name <> '' AND state = 'complete'"));
  other->Bind(1, file.name);
  ASSIGN_OR_RETURN(bool taken, other->Step());
  if (taken) {
    *replaced = other->Text(0);
    other.reset();
    if (!file.overwrite) {
      return absl::AlreadyExistsError(StrCat("a file named '", EscapeForMessage(file.name),
                                             "' already exists (", *replaced,
                                             "); upload with overwrite to replace it"));
    }
    RETURN_IF_ERROR(DeleteFileIn(db, *replaced, now));
  }
  return MarkCommittedIn(db, file.id, size, sha256, now);
}

Status SqliteStore::MarkCommittedIn(SqliteDb& db, std::string_view file_id, int64_t size,
                                    std::string_view sha256, absl::Time now) {
  ASSIGN_OR_RETURN(auto commit,
                   db.Prepare("UPDATE files SET state = 'complete', size = ?, sha256 = ?, "
                              "committed_at_ms = ?, last_accessed_ms = ? WHERE id = ?"));
  commit->Bind(1, size)
      .Bind(2, sha256)
      .Bind(3, absl::ToUnixMillis(now))
      .Bind(4, absl::ToUnixMillis(now))
      .Bind(5, file_id);
  return commit->Run();
}

Status SqliteStore::DeleteFile(std::string_view file_id, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    RETURN_IF_ERROR(GetFileIn(db, file_id).status());
    return DeleteFileIn(db, file_id, now);
  });
}

Status SqliteStore::TouchFile(std::string_view file_id, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("UPDATE files SET last_accessed_ms = ? WHERE id = ?"));
    stmt->Bind(1, absl::ToUnixMillis(now)).Bind(2, file_id);
    return stmt->Run();
  });
}

Result<std::vector<FileRecord>> SqliteStore::ExpiredUploads(absl::Time now, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<FileRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("SELECT ", kFileFields, kChunkCount,
                                       " FROM files f WHERE f.state = 'pending' AND "
                                       "f.expires_at_ms < ? ORDER BY f.expires_at_ms LIMIT ?")));
    stmt->Bind(1, absl::ToUnixMillis(now)).Bind(2, int64_t{limit});
    return ReadFiles(*stmt);
  });
}

Result<StoreCounts> SqliteStore::Counts() {
  return Read([&](SqliteDb& db) -> Result<StoreCounts> {
    StoreCounts counts;
    ASSIGN_OR_RETURN(auto files, db.Prepare("SELECT count(*) FROM files WHERE state = 'complete'"));
    ASSIGN_OR_RETURN(bool row, files->Step());
    if (row) counts.files = files->Int(0);
    ASSIGN_OR_RETURN(auto chunks, db.Prepare("SELECT count(*), coalesce(sum(size), 0) FROM "
                                             "chunks WHERE refcount > 0"));
    ASSIGN_OR_RETURN(row, chunks->Step());
    if (row) {
      counts.chunks = chunks->Int(0);
      counts.bytes = chunks->Int(1);
    }
    return counts;
  });
}

Result<ChunkRecord> SqliteStore::GetChunk(std::string_view chunk_id) {
  return Read([&](SqliteDb& db) -> Result<ChunkRecord> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT seq, size, refcount, created_at_ms FROM chunks "
                                           "WHERE id = unhex(?) AND refcount IS NOT NULL"));
    stmt->Bind(1, chunk_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchChunk(chunk_id);
    const int64_t chunk_key = stmt->Int(0);
    ChunkRecord chunk{
        std::string(chunk_id), stmt->Int(1), stmt->Int(2), absl::FromUnixMillis(stmt->Int(3)), {}};
    stmt.reset();
    ASSIGN_OR_RETURN(auto files, db.Prepare("SELECT DISTINCT f.id FROM file_chunks fc JOIN files f "
                                            "ON f.seq = fc.file WHERE fc.chunk = ? ORDER BY f.id "
                                            "LIMIT 100"));
    files->Bind(1, chunk_key);
    while (true) {
      ASSIGN_OR_RETURN(bool more, files->Step());
      if (!more) break;
      chunk.file_ids.push_back(files->Text(0));
    }
    return chunk;
  });
}

Result<std::vector<ReplicaRecord>> SqliteStore::GetReplicas(
    const std::vector<std::string>& chunk_ids) {
  return Read([&](SqliteDb& db) -> Result<std::vector<ReplicaRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT lower_hex(c.id), n.id, r.state FROM chunks c JOIN "
                                "replicas r ON r.chunk = c.seq JOIN node_keys n ON n.seq = "
                                "r.node WHERE c.id IN (SELECT unhex(value) FROM json_each(?)) "
                                "ORDER BY c.id, n.id"));
    stmt->Bind(1, JsonArray(chunk_ids));
    return ReadRows<ReplicaRecord>(*stmt, &ReadReplica);
  });
}

Status SqliteStore::RecordCopiesIn(SqliteDb& db, const std::vector<ReplicaReceipt>& copies,
                                   absl::Time now, const ChunkKeys* keys) {
  if (copies.empty()) return absl::OkStatus();
  // Copies of chunks whose keys the caller knows, as [chunk key, node key,
  // size]; the others as [chunk id, node key, size]. All nodes' copies in
  // one statement of each kind.
  std::map<std::string_view, int64_t> node_keys;
  std::string keyed = "[";
  nlohmann::json rows = nlohmann::json::array();
  for (const ReplicaReceipt& copy : copies) {
    auto node = node_keys.find(copy.node_id);
    if (node == node_keys.end()) {
      ASSIGN_OR_RETURN(const int64_t node_key, NodeKeyIn(db, copy.node_id));
      node = node_keys.emplace(copy.node_id, node_key).first;
    }
    const auto key =
        keys == nullptr ? ChunkKeys::const_iterator{} : keys->find(copy.chunk.chunk_id);
    if (keys != nullptr && key != keys->end()) {
      StrAppend(&keyed, keyed.size() > 1 ? ",[" : "[", key->second, ",", node->second, ",",
                copy.chunk.size, "]");
      continue;
    }
    RETURN_IF_ERROR(common::ValidateChunkId(copy.chunk.chunk_id));
    rows.push_back({copy.chunk.chunk_id, node->second, copy.chunk.size});
  }
  keyed += "]";
  // A replica being deleted stays so: its delete order is already out.
  constexpr std::string_view kUpsert =
      " WHERE true ON CONFLICT (chunk, node) DO UPDATE SET size = excluded.size, updated_at_ms = "
      "excluded.updated_at_ms, state = CASE WHEN replicas.state = 'deleting' THEN 'deleting' ELSE "
      "'stored' END";
  if (keyed.size() > 2) {
    ASSIGN_OR_RETURN(auto upsert,
                     db.Prepare(StrCat("INSERT INTO replicas (chunk, node, size, state, "
                                       "updated_at_ms) SELECT value ->> 0, value ->> 1, "
                                       "value ->> 2, 'stored', ?1 FROM json_each(?2)",
                                       kUpsert)));
    upsert->Bind(1, absl::ToUnixMillis(now)).Bind(2, keyed);
    RETURN_IF_ERROR(upsert->Run());
  }
  if (rows.empty()) return absl::OkStatus();
  const std::string json = rows.dump();
  // A chunk not known yet gets a key row (known only from reports); a key
  // that exists is only looked up, not rewritten.
  ASSIGN_OR_RETURN(auto keys_made,
                   db.Prepare("INSERT INTO chunks (id) SELECT unhex(value ->> 0) FROM "
                              "json_each(?) WHERE true ON CONFLICT (id) DO NOTHING"));
  keys_made->Bind(1, json);
  RETURN_IF_ERROR(keys_made->Run());
  ASSIGN_OR_RETURN(auto upsert,
                   db.Prepare(StrCat("INSERT INTO replicas (chunk, node, size, state, "
                                     "updated_at_ms) SELECT c.seq, j.value ->> 1, j.value ->> 2, "
                                     "'stored', ?1 FROM json_each(?2) j JOIN chunks c ON c.id = "
                                     "unhex(j.value ->> 0)",
                                     kUpsert)));
  upsert->Bind(1, absl::ToUnixMillis(now)).Bind(2, json);
  return upsert->Run();
}

Status SqliteStore::ApplyReplicaChanges(std::string_view node_id,
                                        const std::vector<ChunkReplica>& received,
                                        const std::vector<std::string>& deleted,
                                        const std::vector<std::string>& corrupt, absl::Time now) {
  std::vector<ReplicaReceipt> copies;
  copies.reserve(received.size());
  for (const ChunkReplica& chunk : received) copies.push_back({std::string(node_id), chunk});
  return Write([&](SqliteDb& db) -> Status {
    RETURN_IF_ERROR(RecordCopiesIn(db, copies, now));
    if (deleted.empty() && corrupt.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(const int64_t node, NodeKeyIn(db, node_id));
    // A chunk the node quarantined is as gone as a deleted one.
    for (const auto* list : {&deleted, &corrupt}) {
      for (const std::string& chunk_id : *list) {
        ASSIGN_OR_RETURN(auto drop, db.Prepare("DELETE FROM replicas WHERE chunk = (SELECT seq "
                                               "FROM chunks WHERE id = unhex(?)) AND node = ?"));
        drop->Bind(1, chunk_id).Bind(2, node);
        RETURN_IF_ERROR(drop->Run());
      }
    }
    return ForgetUnknownChunksIn(db);
  });
}

Result<SqliteStore::ChunkKeys> SqliteStore::AttachUploadIn(SqliteDb& db, int64_t file_key,
                                                           int factor,
                                                           const std::vector<FileChunkRef>& chunks,
                                                           absl::Time now) {
  // Each chunk once, with its references in this file; refused as
  // AttachChunks refuses a chunk of two sizes.
  std::map<std::string_view, std::pair<int64_t, int64_t>> counts;  // id -> (size, references)
  for (const FileChunkRef& chunk : chunks) {
    RETURN_IF_ERROR(common::ValidateChunkId(chunk.chunk_id));
    auto [it, added] = counts.try_emplace(chunk.chunk_id, chunk.size, 0);
    if (it->second.first != chunk.size) {
      return absl::InvalidArgumentError(
          StrCat("chunk ", chunk.chunk_id, " is ", it->second.first, " bytes, not ", chunk.size));
    }
    ++it->second.second;
  }
  // New chunks get their rows at once; a chunk with a row already (known,
  // or known only from nodes' reports) is referenced one by one, as
  // AttachChunks does.
  nlohmann::json all = nlohmann::json::array();
  for (const auto& [id, count] : counts) all.push_back({id, count.first, count.second});
  ChunkKeys keys;
  ASSIGN_OR_RETURN(
      auto insert,
      db.Prepare("INSERT INTO chunks (id, size, refcount, created_at_ms, replication_factor) "
                 "SELECT unhex(value ->> 0), value ->> 1, value ->> 2, ?2, ?3 FROM json_each(?1) "
                 "WHERE true ON CONFLICT (id) DO NOTHING RETURNING lower_hex(id), seq"));
  insert->Bind(1, all.dump());
  insert->Bind(2, absl::ToUnixMillis(now)).Bind(3, int64_t{factor});
  while (true) {
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) break;
    keys[insert->Text(0)] = insert->Int(1);
  }
  insert.reset();
  for (const auto& [id, count] : counts) {
    if (keys.contains(id)) continue;
    for (int64_t i = 0; i < count.second; ++i) {
      ASSIGN_OR_RETURN(keys[std::string(id)], ReferenceChunkIn(db, id, count.first, factor, now));
    }
  }
  // The file's chunks by key: [index, key, size].
  std::string rows = "[";
  for (const FileChunkRef& chunk : chunks) {
    const auto key = keys.find(chunk.chunk_id);
    if (key == keys.end()) return absl::InternalError(StrCat("no key for chunk ", chunk.chunk_id));
    StrAppend(&rows, rows.size() > 1 ? ",[" : "[", chunk.index, ",", key->second, ",", chunk.size,
              "]");
  }
  rows += "]";
  ASSIGN_OR_RETURN(auto place, db.Prepare("INSERT OR REPLACE INTO file_chunks (file, idx, chunk, "
                                          "size) SELECT ?1, value ->> 0, value ->> 1, value ->> 2 "
                                          "FROM json_each(?2)"));
  place->Bind(1, file_key).Bind(2, rows);
  RETURN_IF_ERROR(place->Run());
  return keys;
}

Result<std::string> SqliteStore::WriteUpload(const UploadRecord& upload, absl::Time now) {
  std::string replaced;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(const int64_t file_key, InsertFileIn(db, upload.file));
    ASSIGN_OR_RETURN(const ChunkKeys keys,
                     AttachUploadIn(db, file_key, upload.file.replication_factor, upload.chunks,
                                    upload.attached_at.value_or(now)));
    RETURN_IF_ERROR(RecordCopiesIn(db, upload.receipts, now, &keys));
    if (!upload.commit) return absl::OkStatus();
    if (!upload.binding) {
      return CommitFileIn(db, upload.file, upload.size, upload.sha256, now, &replaced);
    }
    if (const auto* bound = std::get_if<ObjectRecord>(&*upload.binding)) {
      ObjectRecord object = *bound;
      object.file_id = upload.file.id;
      object.size = upload.size;
      return CommitObjectIn(db, object, upload.sha256, now, &replaced);
    }
    PartRecord part = std::get<PartRecord>(*upload.binding);
    part.file_id = upload.file.id;
    part.size = upload.size;
    return CommitPartIn(db, part, upload.sha256, now, &replaced);
  }));
  return replaced;
}

Status SqliteStore::FlagReplica(std::string_view chunk_id, std::string_view node_id,
                                absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto state,
                     db.Prepare(StrCat("SELECT state FROM replicas WHERE ", kReplicaIs)));
    state->Bind(1, chunk_id).Bind(2, node_id);
    ASSIGN_OR_RETURN(bool exists, state->Step());
    if (!exists) {
      return absl::NotFoundError(StrCat("node ", node_id, " holds no replica of ", chunk_id));
    }
    const std::string current = state->Text(0);
    state.reset();
    if (current != "stored") return absl::OkStatus();  // already flagged, or being deleted
    ASSIGN_OR_RETURN(auto mark, db.Prepare(StrCat("UPDATE replicas SET state = 'corrupt', "
                                                  "updated_at_ms = ?3 WHERE ",
                                                  kReplicaIs)));
    mark->Bind(1, chunk_id).Bind(2, node_id).Bind(3, absl::ToUnixMillis(now));
    RETURN_IF_ERROR(mark->Run());
    TaskRecord verify;
    verify.kind = TaskKind::kVerify;
    verify.chunk_id = std::string(chunk_id);
    verify.node_id = std::string(node_id);
    verify.created_at = now;
    return InsertTaskIn(db, verify);
  });
}

namespace {

// Stored replicas per chunk on the counting nodes (?1, a JSON array).
constexpr std::string_view kLiveCte =
    "WITH live AS (SELECT chunk, count(*) AS n FROM replicas WHERE state = 'stored' AND "
    "node IN (SELECT seq FROM node_keys WHERE id IN (SELECT value FROM json_each(?1))) "
    "GROUP BY chunk) ";

// Whether chunk `c` belongs to a complete file.
constexpr std::string_view kCommitted =
    "EXISTS (SELECT 1 FROM file_chunks fc JOIN files fl ON fl.seq = fc.file WHERE "
    "fc.chunk = c.seq AND fl.state = 'complete')";

}  // namespace

Result<std::vector<ChunkBalance>> SqliteStore::UnbalancedChunks(
    const std::vector<std::string>& counting_nodes, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<ChunkBalance>> {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(StrCat(kLiveCte,
                          "SELECT lower_hex(c.id), c.size, c.replication_factor, "
                          "coalesce(l.n, 0) AS n FROM chunks c LEFT JOIN live l ON l.chunk = "
                          "c.seq WHERE "
                          "c.refcount > 0 AND coalesce(l.n, 0) != c.replication_factor AND ",
                          kCommitted, " ORDER BY n, c.id LIMIT ?2")));
    stmt->Bind(1, JsonArray(counting_nodes)).Bind(2, int64_t{limit});
    std::vector<ChunkBalance> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      out.push_back({stmt->Text(0), stmt->Int(1), static_cast<int>(stmt->Int(2)),
                     static_cast<int>(stmt->Int(3))});
    }
  });
}

Result<ReplicationHealth> SqliteStore::Health(const std::vector<std::string>& counting_nodes,
                                              const std::vector<std::string>& readable_nodes) {
  return Read([&](SqliteDb& db) -> Result<ReplicationHealth> {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(StrCat(
            kLiveCte,
            ", readable AS (SELECT DISTINCT chunk FROM replicas WHERE state = 'stored' AND "
            "node IN (SELECT seq FROM node_keys WHERE id IN (SELECT value FROM "
            "json_each(?2)))) "
            "SELECT coalesce(sum(n < f), 0), coalesce(sum(n > f), 0), "
            "coalesce(sum(NOT readable), 0), "
            "coalesce(sum(CASE WHEN n < f THEN (f - n) * size ELSE 0 END), 0) FROM "
            "(SELECT c.size AS size, c.replication_factor AS f, coalesce(l.n, 0) AS n, "
            "c.seq IN (SELECT chunk FROM readable) AS readable FROM chunks c LEFT JOIN live l "
            "ON l.chunk = c.seq WHERE c.refcount > 0 AND ",
            kCommitted, ")")));
    stmt->Bind(1, JsonArray(counting_nodes)).Bind(2, JsonArray(readable_nodes));
    ReplicationHealth health;
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) {
      health.under_replicated = stmt->Int(0);
      health.over_replicated = stmt->Int(1);
      health.lost = stmt->Int(2);
      health.missing_bytes = stmt->Int(3);
    }
    stmt.reset();
    // The flagged replicas' index serves a query that names its condition.
    ASSIGN_OR_RETURN(auto corrupt, db.Prepare("SELECT count(*) FROM replicas WHERE state <> "
                                              "'stored' AND state = 'corrupt'"));
    ASSIGN_OR_RETURN(row, corrupt->Step());
    if (row) health.corrupt_replicas = corrupt->Int(0);
    return health;
  });
}

Result<ReplicaTotals> SqliteStore::DrainRemaining(std::string_view node_id,
                                                  const std::vector<std::string>& counting_nodes) {
  return Read([&](SqliteDb& db) -> Result<ReplicaTotals> {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(StrCat(kLiveCte,
                          "SELECT count(*), coalesce(sum(c.size), 0) FROM replicas r JOIN "
                          "chunks c ON c.seq = r.chunk LEFT JOIN live l ON l.chunk = c.seq "
                          "WHERE r.node = (SELECT seq FROM node_keys WHERE id = ?2) AND "
                          "r.state = 'stored' AND c.refcount > 0 AND "
                          "coalesce(l.n, 0) < c.replication_factor")));
    stmt->Bind(1, JsonArray(counting_nodes)).Bind(2, node_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return ReplicaTotals{};
    return ReplicaTotals{stmt->Int(0), stmt->Int(1)};
  });
}

Result<std::vector<std::string>> SqliteStore::CoveredReplicasOn(
    std::string_view node_id, const std::vector<std::string>& counting_nodes, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare(StrCat("WITH this AS (SELECT seq FROM node_keys WHERE id = ?2), "
                          "live AS (SELECT chunk, count(*) AS n FROM replicas WHERE "
                          "state = 'stored' AND node NOT IN this AND node IN (SELECT seq FROM "
                          "node_keys WHERE id IN (SELECT value FROM json_each(?1))) GROUP BY "
                          "chunk) "
                          "SELECT lower_hex(c.id) FROM replicas r JOIN chunks c ON c.seq = "
                          "r.chunk JOIN live l ON l.chunk = c.seq WHERE r.node IN this AND "
                          "r.state = 'stored' AND c.refcount > 0 AND l.n >= "
                          "c.replication_factor ORDER BY c.id LIMIT ?3")));
    stmt->Bind(1, JsonArray(counting_nodes)).Bind(2, node_id).Bind(3, int64_t{limit});
    return ReadTexts(*stmt);
  });
}

Result<bool> SqliteStore::OrderReplicaDeleteIn(SqliteDb& db, std::string_view chunk_id,
                                               std::string_view node_id, absl::Time now) {
  ASSIGN_OR_RETURN(auto mark, db.Prepare(StrCat("UPDATE replicas SET state = 'deleting', "
                                                "updated_at_ms = ?3 WHERE ",
                                                kReplicaIs, " AND state != 'deleting'")));
  mark->Bind(1, chunk_id).Bind(2, node_id).Bind(3, absl::ToUnixMillis(now));
  RETURN_IF_ERROR(mark->Run());
  mark.reset();
  if (db.changes() == 0) return false;
  TaskRecord task;
  task.kind = TaskKind::kDelete;
  task.chunk_id = std::string(chunk_id);
  task.node_id = std::string(node_id);
  task.created_at = now;
  RETURN_IF_ERROR(InsertTaskIn(db, task));
  return true;
}

Status SqliteStore::OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                                       absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool ordered, OrderReplicaDeleteIn(db, chunk_id, node_id, now));
    if (ordered) return absl::OkStatus();
    return absl::FailedPreconditionError(
        StrCat("node ", node_id, " holds no replica of ", chunk_id, " that is not being deleted"));
  });
}

Result<std::vector<std::string>> SqliteStore::CollectableChunks(absl::Time before, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("SELECT lower_hex(c.id) FROM chunks c WHERE c.refcount = 0 AND "
                   "c.unreferenced_since_ms <= ? AND (EXISTS (SELECT 1 FROM replicas r WHERE "
                   "r.chunk = c.seq AND r.state IN ('stored', 'corrupt')) OR NOT EXISTS "
                   "(SELECT 1 FROM replicas r WHERE r.chunk = c.seq)) "
                   "ORDER BY c.unreferenced_since_ms LIMIT ?"));
    stmt->Bind(1, absl::ToUnixMillis(before)).Bind(2, int64_t{limit});
    return ReadTexts(*stmt);
  });
}

Result<int> SqliteStore::CollectChunk(std::string_view chunk_id, absl::Time now) {
  int created = 0;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto chunk,
                     db.Prepare("SELECT seq FROM chunks WHERE id = unhex(?) AND refcount = 0"));
    chunk->Bind(1, chunk_id);
    ASSIGN_OR_RETURN(bool exists, chunk->Step());
    if (!exists) return absl::OkStatus();  // gone, or referenced again
    const int64_t chunk_key = chunk->Int(0);
    chunk.reset();
    ASSIGN_OR_RETURN(auto replicas, db.Prepare("SELECT n.id, r.state FROM replicas r JOIN "
                                               "node_keys n ON n.seq = r.node WHERE r.chunk = ?"));
    replicas->Bind(1, chunk_key);
    std::vector<std::string> to_delete;
    bool any = false;
    while (true) {
      ASSIGN_OR_RETURN(bool row, replicas->Step());
      if (!row) break;
      any = true;
      if (replicas->Text(1) != "deleting") to_delete.push_back(replicas->Text(0));
    }
    replicas.reset();
    if (!any) {
      ASSIGN_OR_RETURN(auto drop, db.Prepare("DELETE FROM chunks WHERE seq = ?"));
      drop->Bind(1, chunk_key);
      return drop->Run();
    }
    for (const std::string& node_id : to_delete) {
      ASSIGN_OR_RETURN(bool ordered, OrderReplicaDeleteIn(db, chunk_id, node_id, now));
      if (ordered) ++created;
    }
    return absl::OkStatus();
  }));
  return created;
}

Result<int> SqliteStore::CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) {
  int ordered = 0;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto select,
                     db.Prepare("SELECT lower_hex(c.id), n.id FROM chunks c JOIN replicas r ON "
                                "r.chunk = c.seq JOIN node_keys n ON n.seq = r.node WHERE "
                                "c.refcount IS NULL AND r.state = 'stored' AND "
                                "r.updated_at_ms < ? LIMIT ?"));
    select->Bind(1, absl::ToUnixMillis(before)).Bind(2, int64_t{limit});
    std::vector<std::pair<std::string, std::string>> orphans;
    while (true) {
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      orphans.emplace_back(select->Text(0), select->Text(1));
    }
    select.reset();
    for (const auto& [chunk_id, node_id] : orphans) {
      ASSIGN_OR_RETURN(bool done, OrderReplicaDeleteIn(db, chunk_id, node_id, now));
      if (done) ++ordered;
    }
    return absl::OkStatus();
  }));
  return ordered;
}

Result<int64_t> SqliteStore::GetChunkSize(std::string_view chunk_id) {
  return Read([&](SqliteDb& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT size FROM chunks WHERE id = unhex(?) AND "
                                           "refcount IS NOT NULL"));
    stmt->Bind(1, chunk_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NoSuchChunk(chunk_id);
    return stmt->Int(0);
  });
}

Result<std::map<std::string, int64_t>> SqliteStore::GetChunkSizes(
    const std::vector<std::string>& chunk_ids) {
  return Read([&](SqliteDb& db) -> Result<std::map<std::string, int64_t>> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT lower_hex(id), size FROM chunks WHERE id IN "
                                           "(SELECT unhex(value) FROM json_each(?)) AND "
                                           "refcount IS NOT NULL"));
    stmt->Bind(1, JsonArray(chunk_ids));
    std::map<std::string, int64_t> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      out[stmt->Text(0)] = stmt->Int(1);
    }
  });
}

Result<std::vector<FileRecord>> SqliteStore::ScanFiles(std::string_view after_id, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<FileRecord>> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare(StrCat("SELECT ", kFileFields, ", 0",
                                                  " FROM files f WHERE f.id > ? ORDER BY f.id "
                                                  "LIMIT ?")));
    stmt->Bind(1, after_id).Bind(2, int64_t{limit});
    return ReadFiles(*stmt);
  });
}

// The scans walk the tables in their own order (integer keys), and their
// cursors are those keys: a page reads its rows and little else.

Result<ScanPage<FileChunkRow>> SqliteStore::ScanFileChunks(std::string_view cursor, int limit) {
  std::pair<int64_t, int64_t> after{0, -1};
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(after, SplitIntCursor(cursor));
  }
  return Read([&](SqliteDb& db) -> Result<ScanPage<FileChunkRow>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT fc.file, fc.idx, f.id, lower_hex(c.id), fc.size FROM "
                                "file_chunks fc CROSS JOIN files f ON f.seq = fc.file CROSS JOIN "
                                "chunks c ON c.seq = fc.chunk WHERE (fc.file, fc.idx) > (?1, ?2) "
                                "ORDER BY fc.file, fc.idx LIMIT ?3"));
    stmt->Bind(1, after.first).Bind(2, after.second).Bind(3, int64_t{limit});
    ScanPage<FileChunkRow> page;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.rows.push_back({stmt->Text(2), {stmt->Int(1), stmt->Text(3), stmt->Int(4)}});
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next = JoinCursor(std::to_string(stmt->Int(0)), std::to_string(stmt->Int(1)));
      }
    }
    return page;
  });
}

Result<ScanPage<ChunkReplica>> SqliteStore::ScanChunks(std::string_view cursor, int limit) {
  int64_t after = 0;
  if (!cursor.empty()) {
    std::optional<int64_t> seq = ParseInt64(cursor);
    if (!seq) return absl::InvalidArgumentError("not a scan cursor");
    after = *seq;
  }
  return Read([&](SqliteDb& db) -> Result<ScanPage<ChunkReplica>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT seq, lower_hex(id), size FROM chunks WHERE "
                                "seq > ? AND refcount IS NOT NULL ORDER BY seq LIMIT ?"));
    stmt->Bind(1, after).Bind(2, int64_t{limit});
    ScanPage<ChunkReplica> page;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      page.rows.push_back({stmt->Text(1), stmt->Int(2)});
      if (static_cast<int>(page.rows.size()) == limit) page.next = std::to_string(stmt->Int(0));
    }
    return page;
  });
}

Result<ScanPage<ReplicaRecord>> SqliteStore::ScanReplicas(std::string_view cursor, int limit) {
  std::pair<int64_t, int64_t> after{0, 0};
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(after, SplitIntCursor(cursor));
  }
  return Read([&](SqliteDb& db) -> Result<ScanPage<ReplicaRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT r.chunk, r.node, lower_hex(c.id), n.id, r.state FROM "
                                "replicas r CROSS JOIN chunks c ON c.seq = r.chunk CROSS JOIN "
                                "node_keys n ON n.seq = r.node WHERE (r.chunk, r.node) > (?1, ?2) "
                                "ORDER BY r.chunk, r.node LIMIT ?3"));
    stmt->Bind(1, after.first).Bind(2, after.second).Bind(3, int64_t{limit});
    ScanPage<ReplicaRecord> page;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(ReplicaState state, ParseReplicaState(stmt->Text(4)));
      page.rows.push_back({stmt->Text(2), stmt->Text(3), state});
      if (static_cast<int>(page.rows.size()) == limit) {
        page.next = JoinCursor(std::to_string(stmt->Int(0)), std::to_string(stmt->Int(1)));
      }
    }
    return page;
  });
}

}  // namespace gale::coordinator
