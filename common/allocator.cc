#include "common/allocator.h"

#ifdef GALE_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

namespace gale::common {

void ConfigureAllocator() {
#ifdef GALE_TCMALLOC
  MallocExtension::instance()->SetNumericProperty("tcmalloc.aggressive_memory_decommit", 1);
#endif
}

}  // namespace gale::common
