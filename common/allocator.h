#pragma once

namespace gale::common {

// Gives the heap's free memory back to the kernel: after a burst of
// allocation (the memory index's start-up load) that should not stay
// resident.
//
// The coordinator and gale-bench link tcmalloc (gperftools' minimal build,
// the gale_allocator CMake target): under the metadata load glibc's malloc
// took 15-19% of the coordinator's CPU (gRPC's per-call arenas consolidating
// free chunks), and tcmalloc cuts its CPU per committed file by 7-12%.
// tcmalloc keeps freed spans for reuse, so a binary that links it is asked
// here (MallocExtension_ReleaseFreeMemory, looked up at run time); every
// other binary, and sanitizer builds, trims glibc's heap. Thread-safe.
void ReleaseFreeMemory();

}  // namespace gale::common
