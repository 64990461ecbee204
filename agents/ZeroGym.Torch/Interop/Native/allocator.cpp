// glibc's malloc tuned, when the shim is loaded, to keep freed memory for the next training step.
//
// A convolutional update allocates and frees tens of MB of activations and oneDNN buffers per step. glibc serves
// blocks above M_MMAP_THRESHOLD with mmap and gives the top of the heap back to the kernel above M_TRIM_THRESHOLD;
// both start at 128 KiB and rise only when a large mmapped block is freed. In a .NET process they stayed low, so
// every step mapped its buffers anew and faulted in every page: a third of ddqn-mario's update went to page faults
// and it took 3x PyTorch's time on the same libtorch. The values set here are those glibc's own rule rises to at most
// (32 MiB, and trimming at twice that), reached from the first step. A threshold the user set (MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_, or glibc.malloc.mmap_threshold / trim_threshold in GLIBC_TUNABLES) wins; other tunables
// (glibc.pthread.rseq=0 in some containers, say) leave the tuning on.
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

#if defined(__GLIBC__)
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 2 * kMmapThreshold;

// GLIBC_TUNABLES is a colon-separated list of name=value pairs.
bool tunables_set(const char* name) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables == nullptr) return false;
  const size_t length = std::strlen(name);
  for (const char* item = tunables; item != nullptr; item = std::strchr(item, ':')) {
    if (*item == ':') ++item;
    if (std::strncmp(item, name, length) == 0 && item[length] == '=') return true;
  }
  return false;
}

bool user_tuned_malloc() {
  return std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
         tunables_set("glibc.malloc.mmap_threshold") || tunables_set("glibc.malloc.trim_threshold");
}

struct KeepFreedMemory {
  KeepFreedMemory() {
    if (user_tuned_malloc()) return;
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  }
};

const KeepFreedMemory keep_freed_memory;
#endif

}  // namespace
