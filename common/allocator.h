#pragma once

namespace gale::common {

// Sets up the process's memory allocator; call first thing in main().
//
// The coordinator and gale-bench link tcmalloc (gperftools' minimal build):
// under the metadata load glibc's malloc took 15-19% of the coordinator's
// CPU (gRPC's per-call arenas consolidating free chunks), and tcmalloc cuts
// the CPU per committed file by about 12%. tcmalloc keeps freed spans by
// default, which put the index's start-up growth over its memory bound
// (186 MiB per million chunks against 150); this turns on its aggressive
// decommit, which hands freed spans back to the kernel at once (113 MiB).
// Sanitizer and fuzz builds keep the sanitizers' allocator: a no-op there.
void ConfigureAllocator();

}  // namespace gale::common
