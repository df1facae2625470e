#pragma once

namespace gale::coordinator {

// The name of an SQLite VFS over the default one that gathers the writes to
// a WAL file in memory and hands them to the file in one write: SQLite
// writes each WAL frame as two writes (its 24-byte header, then the page),
// so a commit of n pages made 2n system calls, which on a virtual machine
// cost more than the bytes (a 16-chunk file's commit wrote some 35). The
// gathered writes reach the file before SQLite syncs, reads, truncates or
// sizes it, or closes it, and before a write that does not follow the last
// one; other files pass straight through. The commit stays durable only
// because SQLite syncs the WAL before it publishes a commit to readers,
// which it does at every commit under `synchronous=FULL`: only a
// connection with that setting may use this VFS. Registered on the first
// call; thread-safe (each file's buffer belongs to its one connection).
const char* WalWriteBufferVfs();

}  // namespace gale::coordinator
