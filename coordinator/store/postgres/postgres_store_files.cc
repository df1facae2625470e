// PostgresStore: files, chunks and replicas (see metadata_store.h).

#include <utility>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/store_schema.h"

namespace gale::coordinator {
namespace {

// A file's chunk count, after kFileFields.
constexpr std::string_view kChunkCount =
    ", (SELECT count(*) FROM file_chunks fc WHERE fc.file_id = f.id)";

// Those of `ids` that can be chunk ids (64 hex digits): decode() refuses
// the others, and they name no chunk.
std::vector<std::string> ValidChunkIds(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    if (common::ValidateChunkId(id).ok()) out.push_back(id);
  }
  return out;
}

// A replica row: chunk_id (hex), node_id, state.
Result<ReplicaRecord> ReadReplica(const pqxx::row& row) {
  ASSIGN_OR_RETURN(ReplicaState state, ParseReplicaState(row[2].as<std::string>()));
  return ReplicaRecord{row[0].as<std::string>(), row[1].as<std::string>(), state};
}

Result<FileRecord> ReadFile(const pqxx::row& row) {
  FileRecord f;
  f.id = row[0].as<std::string>();
  f.name = row[1].as<std::string>();
  f.size = row[2].as<int64_t>();
  f.sha256 = row[3].as<std::string>();
  f.chunk_size = row[4].as<int64_t>();
  f.replication_factor = row[5].as<int>();
  ASSIGN_OR_RETURN(f.write_mode, ParseWriteMode(row[6].as<std::string>()));
  ASSIGN_OR_RETURN(f.state, ParseFileState(row[7].as<std::string>()));
  f.overwrite = row[8].as<bool>();
  f.auto_commit = row[9].as<bool>();
  f.owner = row[10].as<std::string>();
  f.created_at = absl::FromUnixMillis(row[11].as<int64_t>());
  f.expires_at = absl::FromUnixMillis(row[12].as<int64_t>());
  f.committed_at = absl::FromUnixMillis(row[13].as<int64_t>());
  f.last_accessed = absl::FromUnixMillis(row[14].as<int64_t>());
  f.chunk_count = row[15].as<int64_t>();
  return f;
}

// The first column of every row.
std::vector<std::string> ReadTexts(const pqxx::result& result) {
  std::vector<std::string> out;
  for (const pqxx::row& row : result) out.push_back(row[0].as<std::string>());
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// Whether chunk `c` belongs to a complete file.
constexpr std::string_view kCommitted =
    "EXISTS (SELECT 1 FROM file_chunks fc JOIN files fl ON fl.id = fc.file_id WHERE "
    "fc.chunk_id = c.id AND fl.state = 'complete')";

// The factor of chunk `c` from the files naming it but the references that
// `exclude` (a condition on file_chunks `fc`) leaves out: the highest of
// theirs, or its last when none is left.
std::string FactorOfOtherFiles(std::string_view exclude) {
  return StrCat(
      "coalesce((SELECT max(f.replication_factor) FROM file_chunks fc JOIN files f ON "
      "f.id = fc.file_id WHERE fc.chunk_id = c.id AND NOT (",
      exclude, ")), c.replication_factor)");
}

// Stored replicas per chunk on the counting nodes ($1, a text[]).
constexpr std::string_view kLiveCte =
    "WITH live AS (SELECT chunk_id, count(*) AS n FROM replicas WHERE state = 'stored' AND "
    "node_id = ANY($1::text[]) GROUP BY chunk_id) ";

}  // namespace

Status PostgresStore::InsertFile(const FileRecord& f) {
  return pool_->Run("InsertFile", PgIsolation::kSerializable,
                    [&](PgTx& tx) { return InsertFileIn(tx, f); });
}

Status PostgresStore::InsertFileIn(PgTx& tx, const FileRecord& f) {
  ASSIGN_OR_RETURN(
      int64_t inserted,
      tx.Change("INSERT INTO files (id, name, size, sha256, chunk_size, replication_factor, "
                "write_mode, state, overwrite, auto_commit, owner, created_at_ms, "
                "expires_at_ms, committed_at_ms, last_accessed_ms) VALUES ($1, $2, $3, $4, "
                "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING",
                f.id, f.name, f.size, f.sha256, f.chunk_size, f.replication_factor,
                WriteModeName(f.write_mode), FileStateName(f.state), f.overwrite, f.auto_commit,
                f.owner, absl::ToUnixMillis(f.created_at), absl::ToUnixMillis(f.expires_at),
                absl::ToUnixMillis(f.committed_at), absl::ToUnixMillis(f.last_accessed)));
  if (inserted == 0) return absl::AlreadyExistsError(StrCat("file id ", f.id, " is taken"));
  return absl::OkStatus();
}

Result<FileRecord> PostgresStore::GetFileIn(PgTx& tx, std::string_view file_id) {
  auto not_found = [&] { return NoSuchFile(file_id); };
  if (!IsPgText(file_id)) return not_found();
  ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount,
                                                  " FROM files f WHERE f.id = $1"),
                                           file_id));
  if (r.empty()) return not_found();
  return ReadFile(r[0]);
}

// Reads of one statement (this one, GetFileByName, GetFileChunks,
// GetReplicas, GetChunkSizes) see one snapshot of their own: no
// transaction around them, one round trip instead of three.
Result<FileRecord> PostgresStore::GetFile(std::string_view file_id) {
  return pool_->Run("GetFile", PgIsolation::kAutocommit,
                    [&](PgTx& tx) { return GetFileIn(tx, file_id); });
}

Result<FileRecord> PostgresStore::GetFileByName(std::string_view name) {
  auto not_found = [&] { return NoFileNamed(name); };
  if (!IsPgText(name) || name.empty()) return not_found();  // "": objects' files
  return pool_->Run("GetFileByName", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<FileRecord> {
    ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount,
                                                    " FROM files f WHERE f.name = $1 AND "
                                                    "f.state = 'complete'"),
                                             name));
    if (r.empty()) return not_found();
    return ReadFile(r[0]);
  });
}

Result<std::vector<FileRecord>> PostgresStore::ListFiles(const FileListQuery& q) {
  return pool_->Run(
      "ListFiles", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<std::vector<FileRecord>> {
        pqxx::result r;
        if (IsPgText(q.prefix) && IsPgText(q.after_name) && IsPgText(q.after_id)) {
          // The prefix is a range on the name, which the live-name index serves.
          const std::optional<std::string> end = Utf8PrefixEnd(q.prefix);
          if (q.by_time) {
            ASSIGN_OR_RETURN(
                r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount,
                                  " FROM files f WHERE f.state = 'complete' AND f.name >= $1 AND "
                                  "f.name <> '' AND "
                                  "($2::text IS NULL OR f.name < $2) AND (f.committed_at_ms > "
                                  "$3 OR (f.committed_at_ms = $3 AND f.id > $4)) ORDER BY "
                                  "f.committed_at_ms, f.id LIMIT $5"),
                           q.prefix, end, q.after_time_ms, q.after_id, PgLimit(q.limit)));
          } else {
            ASSIGN_OR_RETURN(
                r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount,
                                  " FROM files f WHERE f.state = 'complete' AND f.name >= $1 AND "
                                  "f.name <> '' AND "
                                  "($2::text IS NULL OR f.name < $2) AND f.name > $3 ORDER BY "
                                  "f.name LIMIT $4"),
                           q.prefix, end, q.after_name, PgLimit(q.limit)));
          }
          return ReadRows(r, &ReadFile);
        }
        // Bytes no text column can hold (invalid UTF-8, NUL) still compare
        // with names as bytes, as in SQLite: compare in bytea instead.
        constexpr std::string_view kBytes =
            " FROM files f WHERE f.state = 'complete' AND f.name <> '' AND "
            "substring(convert_to(f.name, 'UTF8') "
            "for length(decode($1, 'hex'))) = decode($1, 'hex') AND ";
        if (q.by_time) {
          ASSIGN_OR_RETURN(
              r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount, kBytes,
                                "(f.committed_at_ms > $2 OR (f.committed_at_ms = $2 AND "
                                "convert_to(f.id, 'UTF8') > decode($3, 'hex'))) ORDER BY "
                                "f.committed_at_ms, f.id LIMIT $4"),
                         Hex(q.prefix), q.after_time_ms, Hex(q.after_id), PgLimit(q.limit)));
        } else {
          ASSIGN_OR_RETURN(
              r, tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount, kBytes,
                                "convert_to(f.name, 'UTF8') > decode($2, 'hex') ORDER BY f.name "
                                "LIMIT $3"),
                         Hex(q.prefix), Hex(q.after_name), PgLimit(q.limit)));
        }
        return ReadRows(r, &ReadFile);
      });
}

Status PostgresStore::AttachChunks(std::string_view file_id,
                                   const std::vector<FileChunkRef>& chunks, absl::Time now) {
  return pool_->Run("AttachChunks", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(const FileRecord file, GetFileIn(tx, file_id));
    return AttachChunksIn(tx, file, chunks, now);
  });
}

Status PostgresStore::AttachChunksIn(PgTx& tx, const FileRecord& file,
                                     const std::vector<FileChunkRef>& chunks, absl::Time now,
                                     bool new_file) {
  const std::string& file_id = file.id;
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file_id, " is already committed"));
  }
  if (chunks.empty()) return absl::OkStatus();
  // Set-wise, a few statements whatever the number of chunks, with the
  // outcome of attaching them one by one: the same chunk again at an index
  // (a retried allocation) changes nothing; another one there is released.
  std::map<int64_t, std::string> at;  // index -> chunk, as the attach goes
  if (!new_file) {
    std::vector<int64_t> indexes;
    for (const FileChunkRef& chunk : chunks) indexes.push_back(chunk.index);
    ASSIGN_OR_RETURN(pqxx::result existing,
                     tx.Exec("SELECT idx, encode(chunk_id, 'hex') FROM file_chunks WHERE file_id = "
                             "$1 AND idx = ANY($2::bigint[])",
                             file_id, PgInt64Array(indexes)));
    for (const pqxx::row& row : existing) at[row[0].as<int64_t>()] = row[1].as<std::string>();
  }
  std::vector<std::string> released;                              // a reference each
  std::map<std::string, std::pair<int64_t, int64_t>> referenced;  // id -> (size, references)
  for (const FileChunkRef& chunk : chunks) {
    RETURN_IF_ERROR(common::ValidateChunkId(chunk.chunk_id));
    auto [place, empty] = at.try_emplace(chunk.index, chunk.chunk_id);
    if (!empty) {
      if (place->second == chunk.chunk_id) continue;
      released.push_back(place->second);
      place->second = chunk.chunk_id;
    }
    auto [it, added] = referenced.try_emplace(chunk.chunk_id, chunk.size, 0);
    if (it->second.first != chunk.size) {
      return absl::InvalidArgumentError(
          StrCat("chunk ", chunk.chunk_id, " is ", it->second.first, " bytes, not ", chunk.size));
    }
    ++it->second.second;
  }
  if (referenced.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const auto& [id, use] : referenced) ids.push_back(id);
  ASSIGN_OR_RETURN(pqxx::result known,
                   tx.Exec("SELECT encode(id, 'hex'), size, refcount FROM chunks WHERE id = "
                           "ANY($1::bytea[])",
                           PgByteaArray(ids)));
  std::vector<std::string> bumped, revived;  // known chunks; those unreferenced until now
  std::vector<int64_t> bumps;
  for (const pqxx::row& row : known) {
    const std::string id = row[0].as<std::string>();
    const auto [size, uses] = referenced.at(id);
    if (row[1].as<int64_t>() != size) {
      return absl::InvalidArgumentError(
          StrCat("chunk ", id, " is ", row[1].as<int64_t>(), " bytes, not ", size));
    }
    if (row[2].as<int64_t>() == 0) revived.push_back(id);
    bumped.push_back(id);
    bumps.push_back(uses);
    referenced.erase(id);
  }
  const int64_t now_ms = absl::ToUnixMillis(now);
  const int64_t factor = file.replication_factor;
  if (!referenced.empty()) {
    std::vector<std::string> fresh;
    std::vector<int64_t> sizes, uses;
    for (const auto& [id, use] : referenced) {
      fresh.push_back(id);
      sizes.push_back(use.first);
      uses.push_back(use.second);
    }
    ASSIGN_OR_RETURN(
        pqxx::result made,
        tx.Exec("INSERT INTO chunks (id, size, refcount, created_at_ms, "
                "replication_factor) SELECT decode(u.id, 'hex'), u.size, u.n, $4, $5 FROM "
                "unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(id, size, n) ON CONFLICT "
                "(id) DO NOTHING RETURNING 1",
                PgTextArray(fresh), PgInt64Array(sizes), PgInt64Array(uses), now_ms, factor));
    // Another transaction made one of them since this one's snapshot (a
    // snapshot transaction sees no conflict of its own): again, from a
    // snapshot that knows it.
    if (made.size() != fresh.size()) {
      return absl::AbortedError("a chunk was made by a concurrent transaction");
    }
  }
  if (!bumped.empty()) {
    // The highest factor among the files referencing it; a chunk referenced
    // again after being unreferenced starts from its new file's.
    RETURN_IF_ERROR(tx.Exec("UPDATE chunks c SET refcount = c.refcount + u.n, "
                            "unreferenced_since_ms = NULL, replication_factor = CASE WHEN "
                            "c.refcount = 0 THEN $3 ELSE greatest(c.replication_factor, $3) END "
                            "FROM unnest($1::text[], $2::bigint[]) AS u(id, n) WHERE c.id = "
                            "decode(u.id, 'hex')",
                            PgTextArray(bumped), PgInt64Array(bumps), factor)
                        .status());
  }
  if (!revived.empty()) {
    // Referenced again while waiting for garbage collection: deletes not yet
    // handed to a node are cancelled; those already sent will still happen,
    // and their replicas stay "deleting" (not counted, not targeted).
    const std::string array = PgTextArray(revived);
    RETURN_IF_ERROR(tx.Exec("UPDATE replicas SET state = 'stored' WHERE chunk_id = "
                            "ANY($2::bytea[]) AND state = 'deleting' AND "
                            "(encode(chunk_id, 'hex'), node_id) IN (SELECT chunk_id, node_id "
                            "FROM tasks WHERE chunk_id = ANY($1::text[]) AND kind = 'delete' AND "
                            "state = 'pending')",
                            array, PgByteaArray(revived))
                        .status());
    RETURN_IF_ERROR(tx.Exec("DELETE FROM tasks WHERE chunk_id = ANY($1::text[]) AND kind = "
                            "'delete' AND state = 'pending'",
                            array)
                        .status());
  }
  // Each index once, with the chunk it ends with.
  std::vector<int64_t> places, sizes;
  std::vector<std::string> placed;
  std::map<int64_t, const FileChunkRef*> last;
  for (const FileChunkRef& chunk : chunks) last[chunk.index] = &chunk;
  for (const auto& [index, chunk] : last) {
    places.push_back(index);
    placed.push_back(chunk->chunk_id);
    sizes.push_back(chunk->size);
  }
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO file_chunks (file_id, idx, chunk_id, size) SELECT $1, u.idx, "
              "decode(u.id, 'hex'), u.size FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS "
              "u(idx, id, size) ON CONFLICT "
              "(file_id, idx) DO UPDATE SET chunk_id = EXCLUDED.chunk_id, size = EXCLUDED.size",
              file_id, PgInt64Array(places), PgTextArray(placed), PgInt64Array(sizes))
          .status());
  // The references replaced at their indexes, once the file's list holds
  // what it ends with: each factor from the files still naming it.
  for (const std::string& previous : released) {
    RETURN_IF_ERROR(tx.Exec(StrCat("UPDATE chunks c SET refcount = refcount - 1, "
                                   "unreferenced_since_ms = CASE WHEN refcount = 1 THEN $1 ELSE "
                                   "unreferenced_since_ms END, replication_factor = ",
                                   FactorOfOtherFiles("false"),
                                   " WHERE id = decode($2, 'hex') AND refcount > 0"),
                            now_ms, previous)
                        .status());
  }
  return absl::OkStatus();
}

Result<std::vector<FileChunkRef>> PostgresStore::GetFileChunks(std::string_view file_id) {
  return pool_->Run(
      "GetFileChunks", PgIsolation::kAutocommit,
      [&](PgTx& tx) -> Result<std::vector<FileChunkRef>> {
        ASSIGN_OR_RETURN(pqxx::result r,
                         tx.Exec("SELECT idx, encode(chunk_id, 'hex'), size FROM file_chunks "
                                 "WHERE file_id = $1 ORDER BY idx",
                                 file_id));
        std::vector<FileChunkRef> out;
        for (const pqxx::row& row : r) {
          out.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<int64_t>()});
        }
        return out;
      });
}

Status PostgresStore::DeleteFileIn(PgTx& tx, std::string_view file_id, absl::Time now) {
  // A chunk can appear several times in one file: release each reference;
  // its factor becomes the others' files'.
  RETURN_IF_ERROR(tx.Exec(StrCat("UPDATE chunks c SET refcount = c.refcount - mine.n, "
                                 "unreferenced_since_ms = CASE WHEN c.refcount = mine.n THEN $2 "
                                 "ELSE c.unreferenced_since_ms END, replication_factor = ",
                                 FactorOfOtherFiles("fc.file_id = $1"),
                                 " FROM (SELECT chunk_id, count(*) AS n FROM file_chunks WHERE "
                                 "file_id = $1 GROUP BY chunk_id) mine WHERE c.id = mine.chunk_id"),
                          file_id, absl::ToUnixMillis(now))
                      .status());
  RETURN_IF_ERROR(tx.Exec("DELETE FROM file_chunks WHERE file_id = $1", file_id).status());
  return tx.Exec("DELETE FROM files WHERE id = $1", file_id).status();
}

Result<std::string> PostgresStore::CommitFile(std::string_view file_id, int64_t size,
                                              std::string_view sha256, absl::Time now) {
  return pool_->Run("CommitFile", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<std::string> {
    ASSIGN_OR_RETURN(const FileRecord file, GetFileIn(tx, file_id));
    return CommitFileIn(tx, file, size, sha256, now);
  });
}

Result<std::string> PostgresStore::CommitFileIn(PgTx& tx, const FileRecord& file, int64_t size,
                                                std::string_view sha256, absl::Time now) {
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file.id, " is already committed"));
  }
  ASSIGN_OR_RETURN(
      pqxx::result other,
      tx.Exec("SELECT id FROM files WHERE name = $1 AND name <> '' AND state = 'complete'",
              file.name));
  std::string replaced;
  if (!other.empty()) {
    replaced = other[0][0].as<std::string>();
    if (!file.overwrite) {
      return absl::AlreadyExistsError(StrCat("a file named '", EscapeForMessage(file.name),
                                             "' already exists (", replaced,
                                             "); upload with overwrite to replace it"));
    }
    RETURN_IF_ERROR(DeleteFileIn(tx, replaced, now));
  }
  const Status marked = MarkCommittedIn(tx, file.id, size, sha256, now);
  // A file of the name committed since this transaction's snapshot (the
  // unique index files_live_name refuses a second): again, replacing it.
  if (absl::IsAlreadyExists(marked)) {
    return absl::AbortedError(
        StrCat("a file named '", EscapeForMessage(file.name), "' was committed meanwhile"));
  }
  RETURN_IF_ERROR(marked);
  return replaced;
}

Status PostgresStore::MarkCommittedIn(PgTx& tx, std::string_view file_id, int64_t size,
                                      std::string_view sha256, absl::Time now) {
  return tx
      .Exec(
          "UPDATE files SET state = 'complete', size = $1, sha256 = $2, committed_at_ms = $3, "
          "last_accessed_ms = $3 WHERE id = $4",
          size, sha256, absl::ToUnixMillis(now), file_id)
      .status();
}

Status PostgresStore::DeleteFile(std::string_view file_id, absl::Time now) {
  return pool_->Run("DeleteFile", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    RETURN_IF_ERROR(GetFileIn(tx, file_id).status());
    return DeleteFileIn(tx, file_id, now);
  });
}

Status PostgresStore::TouchFile(std::string_view file_id, absl::Time now) {
  if (!IsPgText(file_id)) return absl::OkStatus();  // no such file
  return pool_->Run("TouchFile", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    return tx
        .Exec("UPDATE files SET last_accessed_ms = $1 WHERE id = $2", absl::ToUnixMillis(now),
              file_id)
        .status();
  });
}

Result<std::vector<FileRecord>> PostgresStore::ExpiredUploads(absl::Time now, int limit) {
  return pool_->Run("ExpiredUploads", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<FileRecord>> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec(StrCat("SELECT ", kFileFields, kChunkCount,
                                                      " FROM files f WHERE f.state = 'pending' "
                                                      "AND f.expires_at_ms < $1 ORDER BY "
                                                      "f.expires_at_ms, f.id LIMIT $2"),
                                               absl::ToUnixMillis(now), PgLimit(limit)));
                      return ReadRows(r, &ReadFile);
                    });
}

Result<StoreCounts> PostgresStore::Counts() {
  return pool_->Run("Counts", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<StoreCounts> {
    ASSIGN_OR_RETURN(pqxx::result r,
                     tx.Exec("SELECT (SELECT count(*) FROM files WHERE state = 'complete'), "
                             "count(*), coalesce(sum(size), 0)::bigint FROM chunks WHERE "
                             "refcount > 0"));
    return StoreCounts{r[0][0].as<int64_t>(), r[0][1].as<int64_t>(), r[0][2].as<int64_t>()};
  });
}

Result<ChunkRecord> PostgresStore::GetChunk(std::string_view chunk_id) {
  auto not_found = [&] { return NoSuchChunk(chunk_id); };
  if (!common::ValidateChunkId(chunk_id).ok()) return not_found();
  return pool_->Run("GetChunk", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<ChunkRecord> {
    ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT encode(id, 'hex'), size, refcount, "
                                             "created_at_ms FROM chunks WHERE id = "
                                             "decode($1, 'hex')",
                                             chunk_id));
    if (r.empty()) return not_found();
    ChunkRecord chunk{r[0][0].as<std::string>(),
                      r[0][1].as<int64_t>(),
                      r[0][2].as<int64_t>(),
                      absl::FromUnixMillis(r[0][3].as<int64_t>()),
                      {}};
    ASSIGN_OR_RETURN(pqxx::result files, tx.Exec("SELECT DISTINCT file_id FROM file_chunks WHERE "
                                                 "chunk_id = decode($1, 'hex') ORDER BY file_id "
                                                 "LIMIT 100",
                                                 chunk_id));
    chunk.file_ids = ReadTexts(files);
    return chunk;
  });
}

Result<std::vector<ReplicaRecord>> PostgresStore::GetReplicas(
    const std::vector<std::string>& chunk_ids) {
  return pool_->Run(
      "GetReplicas", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<std::vector<ReplicaRecord>> {
        ASSIGN_OR_RETURN(pqxx::result r,
                         tx.Exec("SELECT encode(chunk_id, 'hex'), node_id, state FROM replicas "
                                 "WHERE chunk_id = ANY($1::bytea[]) ORDER BY chunk_id, node_id",
                                 PgByteaArray(ValidChunkIds(chunk_ids))));
        return ReadRows(r, &ReadReplica);
      });
}

Status PostgresStore::UpsertStoredReplicasIn(PgTx& tx, const std::vector<ReplicaReceipt>& receipts,
                                             absl::Time now) {
  if (receipts.empty()) return absl::OkStatus();
  // Each copy once (a statement may change a row only once), its last
  // size; in (node, chunk) order, as every writer locks them.
  std::map<std::pair<std::string_view, std::string_view>, int64_t> last;
  for (const ReplicaReceipt& receipt : receipts) {
    RETURN_IF_ERROR(common::ValidateChunkId(receipt.chunk.chunk_id));
    last[{receipt.node_id, receipt.chunk.chunk_id}] = receipt.chunk.size;
  }
  std::vector<std::string> nodes, ids;
  std::vector<int64_t> sizes;
  for (const auto& [copy, size] : last) {
    nodes.emplace_back(copy.first);
    ids.emplace_back(copy.second);
    sizes.push_back(size);
  }
  // A replica being deleted stays so: its delete order is already out.
  return tx
      .Exec(
          "INSERT INTO replicas (chunk_id, node_id, size, state, updated_at_ms) SELECT "
          "decode(u.id, 'hex'), u.node, u.size, 'stored', $4 FROM unnest($1::text[], $2::text[], "
          "$3::bigint[]) AS u(node, id, size) ON CONFLICT "
          "(chunk_id, node_id) DO UPDATE SET size = EXCLUDED.size, updated_at_ms = "
          "EXCLUDED.updated_at_ms, state = CASE WHEN replicas.state = 'deleting' THEN 'deleting' "
          "ELSE 'stored' END",
          PgTextArray(nodes), PgTextArray(ids), PgInt64Array(sizes), absl::ToUnixMillis(now))
      .status();
}

Result<std::string> PostgresStore::WriteUpload(const UploadRecord& upload, absl::Time now) {
  // A snapshot: uploads are written in memory whole and at once, on rows of
  // their own, and under serializable isolation sixteen of them at once
  // failed one another through SSI's page-level predicate locks (most of
  // them, several times: 169 files/s against 389). What they share
  // conflicts row by row (a chunk's reference count, an object's row, a
  // bucket's through the objects' foreign key, a task handed out), a chunk
  // or a name made meanwhile is retried above; a part, whose multipart
  // upload has no foreign key to hold it, stays serializable.
  const bool part = upload.binding && std::holds_alternative<PartRecord>(*upload.binding);
  return pool_->Run("WriteUpload", part ? PgIsolation::kSerializable : PgIsolation::kSnapshot,
                    [&](PgTx& tx) -> Result<std::string> {
                      RETURN_IF_ERROR(InsertFileIn(tx, upload.file));
                      RETURN_IF_ERROR(AttachChunksIn(tx, upload.file, upload.chunks,
                                                     upload.attached_at.value_or(now),
                                                     /*new_file=*/true));
                      RETURN_IF_ERROR(UpsertStoredReplicasIn(tx, upload.receipts, now));
                      if (!upload.commit) return std::string();
                      if (!upload.binding) {
                        return CommitFileIn(tx, upload.file, upload.size, upload.sha256, now);
                      }
                      if (const auto* bound = std::get_if<ObjectRecord>(&*upload.binding)) {
                        ObjectRecord object = *bound;
                        object.file_id = upload.file.id;
                        object.size = upload.size;
                        return CommitObjectIn(tx, object, upload.sha256, now);
                      }
                      PartRecord part = std::get<PartRecord>(*upload.binding);
                      part.file_id = upload.file.id;
                      part.size = upload.size;
                      return CommitPartIn(tx, part, upload.sha256, now);
                    });
}

Status PostgresStore::ApplyReplicaChanges(std::string_view node_id,
                                          const std::vector<ChunkReplica>& received,
                                          const std::vector<std::string>& deleted,
                                          const std::vector<std::string>& corrupt, absl::Time now) {
  // A chunk the node quarantined is as gone as a deleted one.
  std::vector<std::string> gone = deleted;
  gone.insert(gone.end(), corrupt.begin(), corrupt.end());
  std::vector<ReplicaReceipt> receipts;
  for (const ChunkReplica& chunk : received) receipts.push_back({std::string(node_id), chunk});
  return pool_->Run("ApplyReplicaChanges", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    RETURN_IF_ERROR(UpsertStoredReplicasIn(tx, receipts, now));
    if (gone.empty()) return absl::OkStatus();
    return tx
        .Exec("DELETE FROM replicas WHERE node_id = $1 AND chunk_id = ANY($2::bytea[])", node_id,
              PgByteaArray(ValidChunkIds(gone)))
        .status();
  });
}

Status PostgresStore::FlagReplica(std::string_view chunk_id, std::string_view node_id,
                                  absl::Time now) {
  return pool_->Run("FlagReplica", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(pqxx::result state,
                     tx.Exec("SELECT state FROM replicas WHERE chunk_id = decode($1, 'hex') AND "
                             "node_id = $2",
                             chunk_id, node_id));
    if (state.empty()) {
      return absl::NotFoundError(StrCat("node ", node_id, " holds no replica of ", chunk_id));
    }
    // Already flagged, or being deleted.
    if (state[0][0].as<std::string>() != "stored") return absl::OkStatus();
    RETURN_IF_ERROR(tx.Exec("UPDATE replicas SET state = 'corrupt', updated_at_ms = $1 WHERE "
                            "chunk_id = decode($2, 'hex') AND node_id = $3",
                            absl::ToUnixMillis(now), chunk_id, node_id)
                        .status());
    TaskRecord verify;
    verify.kind = TaskKind::kVerify;
    verify.chunk_id = std::string(chunk_id);
    verify.node_id = std::string(node_id);
    verify.created_at = now;
    return InsertTaskIn(tx, verify);
  });
}

Result<std::vector<ChunkBalance>> PostgresStore::UnbalancedChunks(
    const std::vector<std::string>& counting_nodes, int limit) {
  return pool_->Run(
      "UnbalancedChunks", PgIsolation::kRepeatableRead,
      [&](PgTx& tx) -> Result<std::vector<ChunkBalance>> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec(StrCat(kLiveCte,
                           "SELECT encode(c.id, 'hex'), c.size, c.replication_factor, "
                           "coalesce(l.n, 0) FROM "
                           "chunks c LEFT JOIN live l ON l.chunk_id = c.id WHERE c.refcount > 0 "
                           "AND coalesce(l.n, 0) != c.replication_factor AND ",
                           kCommitted, " ORDER BY coalesce(l.n, 0), c.id LIMIT $2"),
                    PgTextArray(counting_nodes), PgLimit(limit)));
        std::vector<ChunkBalance> out;
        for (const pqxx::row& row : r) {
          out.push_back(
              {row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int>(), row[3].as<int>()});
        }
        return out;
      });
}

Result<ReplicationHealth> PostgresStore::Health(const std::vector<std::string>& counting_nodes,
                                                const std::vector<std::string>& readable_nodes) {
  return pool_->Run(
      "Health", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<ReplicationHealth> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec(StrCat(kLiveCte,
                           ", readable AS (SELECT DISTINCT chunk_id FROM replicas WHERE state = "
                           "'stored' AND node_id = ANY($2::text[])), "
                           "counted AS (SELECT c.size, c.replication_factor AS f, "
                           "coalesce(l.n, 0) AS n, EXISTS (SELECT 1 FROM readable rd WHERE "
                           "rd.chunk_id = c.id) AS readable FROM chunks c LEFT JOIN live l ON "
                           "l.chunk_id = c.id WHERE c.refcount > 0 AND ",
                           kCommitted,
                           ") SELECT count(*) FILTER (WHERE n < f), count(*) FILTER (WHERE n > "
                           "f), count(*) FILTER (WHERE NOT readable), coalesce(sum((f - n) * "
                           "size) FILTER (WHERE n < f), 0)::bigint, (SELECT count(*) FROM "
                           "replicas WHERE state = 'corrupt') FROM counted"),
                    PgTextArray(counting_nodes), PgTextArray(readable_nodes)));
        ReplicationHealth health;
        health.under_replicated = r[0][0].as<int64_t>();
        health.over_replicated = r[0][1].as<int64_t>();
        health.lost = r[0][2].as<int64_t>();
        health.missing_bytes = r[0][3].as<int64_t>();
        health.corrupt_replicas = r[0][4].as<int64_t>();
        return health;
      });
}

Result<ReplicaTotals> PostgresStore::DrainRemaining(
    std::string_view node_id, const std::vector<std::string>& counting_nodes) {
  return pool_->Run(
      "DrainRemaining", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<ReplicaTotals> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec(StrCat(kLiveCte,
                           "SELECT count(*), coalesce(sum(c.size), 0)::bigint FROM replicas r "
                           "JOIN chunks c ON c.id = r.chunk_id LEFT JOIN live l ON l.chunk_id = "
                           "c.id WHERE r.node_id = $2 AND r.state = 'stored' AND c.refcount > 0 "
                           "AND coalesce(l.n, 0) < c.replication_factor"),
                    PgTextArray(counting_nodes), node_id));
        return ReplicaTotals{r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
      });
}

Result<std::vector<std::string>> PostgresStore::CoveredReplicasOn(
    std::string_view node_id, const std::vector<std::string>& counting_nodes, int limit) {
  return pool_->Run(
      "CoveredReplicasOn", PgIsolation::kRepeatableRead,
      [&](PgTx& tx) -> Result<std::vector<std::string>> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec("WITH live AS (SELECT chunk_id, count(*) AS n FROM replicas WHERE state = "
                    "'stored' AND node_id != $2 AND node_id = ANY($1::text[]) GROUP BY chunk_id) "
                    "SELECT encode(r.chunk_id, 'hex') FROM replicas r JOIN chunks c ON c.id = "
                    "r.chunk_id JOIN "
                    "live l ON l.chunk_id = c.id WHERE r.node_id = $2 AND r.state = 'stored' AND "
                    "c.refcount > 0 AND l.n >= c.replication_factor ORDER BY r.chunk_id LIMIT $3",
                    PgTextArray(counting_nodes), node_id, PgLimit(limit)));
        return ReadTexts(r);
      });
}

Result<bool> PostgresStore::OrderReplicaDeleteIn(PgTx& tx, std::string_view chunk_id,
                                                 std::string_view node_id, absl::Time now) {
  ASSIGN_OR_RETURN(
      int64_t marked,
      tx.Change("UPDATE replicas SET state = 'deleting', updated_at_ms = $1 WHERE "
                "chunk_id = decode($2, 'hex') AND node_id = $3 AND state != 'deleting'",
                absl::ToUnixMillis(now), chunk_id, node_id));
  if (marked == 0) return false;
  TaskRecord task;
  task.kind = TaskKind::kDelete;
  task.chunk_id = std::string(chunk_id);
  task.node_id = std::string(node_id);
  task.created_at = now;
  RETURN_IF_ERROR(InsertTaskIn(tx, task));
  return true;
}

Status PostgresStore::OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                                         absl::Time now) {
  return pool_->Run("OrderReplicaDelete", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(bool ordered, OrderReplicaDeleteIn(tx, chunk_id, node_id, now));
    if (ordered) return absl::OkStatus();
    return absl::FailedPreconditionError(
        StrCat("node ", node_id, " holds no replica of ", chunk_id, " that is not being deleted"));
  });
}

Result<std::vector<std::string>> PostgresStore::CollectableChunks(absl::Time before, int limit) {
  return pool_->Run(
      "CollectableChunks", PgIsolation::kRepeatableRead,
      [&](PgTx& tx) -> Result<std::vector<std::string>> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec("SELECT encode(c.id, 'hex') FROM chunks c WHERE c.refcount = 0 AND "
                    "c.unreferenced_since_ms "
                    "<= $1 AND (EXISTS (SELECT 1 FROM replicas r WHERE r.chunk_id = c.id AND "
                    "r.state IN ('stored', 'corrupt')) OR NOT EXISTS (SELECT 1 FROM replicas r "
                    "WHERE r.chunk_id = c.id)) ORDER BY c.unreferenced_since_ms, c.id LIMIT $2",
                    absl::ToUnixMillis(before), PgLimit(limit)));
        return ReadTexts(r);
      });
}

Result<int> PostgresStore::CollectChunk(std::string_view chunk_id, absl::Time now) {
  return pool_->Run("CollectChunk", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<int> {
    ASSIGN_OR_RETURN(pqxx::result chunk,
                     tx.Exec("SELECT refcount FROM chunks WHERE id = decode($1, 'hex')", chunk_id));
    // Gone, or referenced again.
    if (chunk.empty() || chunk[0][0].as<int64_t>() > 0) return 0;
    ASSIGN_OR_RETURN(
        pqxx::result replicas,
        tx.Exec("SELECT node_id, state FROM replicas WHERE chunk_id = decode($1, 'hex') ORDER BY "
                "node_id",
                chunk_id));
    if (replicas.empty()) {
      RETURN_IF_ERROR(
          tx.Exec("DELETE FROM chunks WHERE id = decode($1, 'hex')", chunk_id).status());
      return 0;
    }
    int created = 0;
    for (const pqxx::row& row : replicas) {
      if (row[1].as<std::string>() == "deleting") continue;
      ASSIGN_OR_RETURN(bool ordered,
                       OrderReplicaDeleteIn(tx, chunk_id, row[0].as<std::string>(), now));
      if (ordered) ++created;
    }
    return created;
  });
}

Result<int> PostgresStore::CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) {
  return pool_->Run(
      "CollectOrphanReplicas", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<int> {
        ASSIGN_OR_RETURN(
            pqxx::result orphans,
            tx.Exec("SELECT encode(r.chunk_id, 'hex'), r.node_id FROM replicas r WHERE r.state = "
                    "'stored' AND "
                    "r.updated_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = "
                    "r.chunk_id) LIMIT $2",
                    absl::ToUnixMillis(before), PgLimit(limit)));
        int ordered = 0;
        for (const pqxx::row& row : orphans) {
          ASSIGN_OR_RETURN(bool done, OrderReplicaDeleteIn(tx, row[0].as<std::string>(),
                                                           row[1].as<std::string>(), now));
          if (done) ++ordered;
        }
        return ordered;
      });
}

Result<int64_t> PostgresStore::GetChunkSize(std::string_view chunk_id) {
  if (!common::ValidateChunkId(chunk_id).ok()) return NoSuchChunk(chunk_id);
  return pool_->Run("GetChunkSize", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<int64_t> {
    ASSIGN_OR_RETURN(pqxx::result r,
                     tx.Exec("SELECT size FROM chunks WHERE id = decode($1, 'hex')", chunk_id));
    if (r.empty()) return NoSuchChunk(chunk_id);
    return r[0][0].as<int64_t>();
  });
}

Result<std::map<std::string, int64_t>> PostgresStore::GetChunkSizes(
    const std::vector<std::string>& chunk_ids) {
  const std::vector<std::string> ids = ValidChunkIds(chunk_ids);
  return pool_->Run("GetChunkSizes", PgIsolation::kAutocommit,
                    [&](PgTx& tx) -> Result<std::map<std::string, int64_t>> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec("SELECT encode(id, 'hex'), size FROM chunks "
                                               "WHERE id = ANY($1::bytea[])",
                                               PgByteaArray(ids)));
                      std::map<std::string, int64_t> out;
                      for (const pqxx::row& row : r) {
                        out[row[0].as<std::string>()] = row[1].as<int64_t>();
                      }
                      return out;
                    });
}

Result<bool> PostgresStore::KnowsAnyChunk(const std::vector<std::string>& chunk_ids) {
  const std::vector<std::string> ids = ValidChunkIds(chunk_ids);
  if (ids.empty()) return false;
  return pool_->Run("KnowsAnyChunk", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<bool> {
    ASSIGN_OR_RETURN(pqxx::result r,
                     tx.Exec("SELECT EXISTS (SELECT 1 FROM chunks WHERE id = ANY($1::bytea[])) "
                             "OR EXISTS (SELECT 1 FROM replicas WHERE chunk_id = "
                             "ANY($1::bytea[]))",
                             PgByteaArray(ids)));
    return !r.empty() && r[0][0].as<bool>();
  });
}

Result<std::vector<FileRecord>> PostgresStore::ScanFiles(std::string_view after_id, int limit) {
  return pool_->Run(
      "ScanFiles", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<std::vector<FileRecord>> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kFileFields, ", 0",
                                                        " FROM files f WHERE f.id > $1 ORDER BY "
                                                        "f.id LIMIT $2"),
                                                 after_id, limit));
        return ReadRows(r, &ReadFile);
      });
}

// The scans walk ids in order; their cursors are the last row's ids.

Result<ScanPage<FileChunkRow>> PostgresStore::ScanFileChunks(std::string_view cursor, int limit) {
  // "index:file id" (a file id may hold ':').
  std::string after_file;
  int64_t after_index = -1;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(auto parts, SplitCursor(cursor));
    std::optional<int64_t> index = ParseInt64(parts.first);
    if (!index) return absl::InvalidArgumentError("not a scan cursor");
    after_index = *index;
    after_file = std::move(parts.second);
  }
  return pool_->Run(
      "ScanFileChunks", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<ScanPage<FileChunkRow>> {
        ASSIGN_OR_RETURN(
            pqxx::result r,
            tx.Exec("SELECT file_id, idx, encode(chunk_id, 'hex'), size FROM file_chunks WHERE "
                    "(file_id, idx) > ($1, $2) ORDER BY file_id, idx LIMIT $3",
                    after_file, after_index, limit));
        ScanPage<FileChunkRow> page;
        page.rows.reserve(r.size());
        for (const pqxx::row& row : r) {
          page.rows.push_back(
              {row[0].as<std::string>(),
               {row[1].as<int64_t>(), row[2].as<std::string>(), row[3].as<int64_t>()}});
        }
        if (static_cast<int>(page.rows.size()) == limit) {
          const FileChunkRow& last = page.rows.back();
          page.next = JoinCursor(std::to_string(last.chunk.index), last.file_id);
        }
        return page;
      });
}

Result<ScanPage<ChunkReplica>> PostgresStore::ScanChunks(std::string_view cursor, int limit) {
  return pool_->Run(
      "ScanChunks", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<ScanPage<ChunkReplica>> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT encode(id, 'hex'), size FROM chunks WHERE "
                                                 "id > decode($1, 'hex') ORDER BY id LIMIT $2",
                                                 cursor, limit));
        ScanPage<ChunkReplica> page;
        page.rows.reserve(r.size());
        for (const pqxx::row& row : r) {
          page.rows.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
        }
        if (static_cast<int>(page.rows.size()) == limit) page.next = page.rows.back().chunk_id;
        return page;
      });
}

Result<ScanPage<ReplicaRecord>> PostgresStore::ScanReplicas(std::string_view cursor, int limit) {
  // "chunk id:node id" (a chunk id holds no ':').
  std::pair<std::string, std::string> after;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(after, SplitCursor(cursor));
  }
  return pool_->Run(
      "ScanReplicas", PgIsolation::kAutocommit, [&](PgTx& tx) -> Result<ScanPage<ReplicaRecord>> {
        ASSIGN_OR_RETURN(pqxx::result r,
                         tx.Exec("SELECT encode(chunk_id, 'hex'), node_id, state FROM replicas "
                                 "WHERE (chunk_id, node_id) > (decode($1, 'hex'), $2) ORDER BY "
                                 "chunk_id, node_id LIMIT $3",
                                 after.first, after.second, limit));
        ScanPage<ReplicaRecord> page;
        ASSIGN_OR_RETURN(page.rows, ReadRows(r, &ReadReplica));
        if (static_cast<int>(page.rows.size()) == limit) {
          page.next = JoinCursor(page.rows.back().chunk_id, page.rows.back().node_id);
        }
        return page;
      });
}

}  // namespace gale::coordinator
