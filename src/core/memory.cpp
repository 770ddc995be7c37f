#include "qnn/core/memory.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace qnn {

namespace {
std::uint64_t env_memory_limit() {
  const char* env = std::getenv("QNN_MEMORY_LIMIT");
  return env ? std::strtoull(env, nullptr, 10) : 0;
}
}  // namespace

std::uint64_t available_memory_bytes() {
  // QNN_MEMORY_LIMIT (bytes) caps what qnn will use, e.g. on a shared machine.
  const std::uint64_t limit = env_memory_limit();
  std::uint64_t avail = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (meminfo >> key >> value) {
    std::getline(meminfo, unit);
    if (key == "MemAvailable:") {
      avail = value * 1024;
      break;
    }
  }
  if (limit != 0 && (avail == 0 || limit < avail)) return limit;
  return avail;
}

void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  // Only a hint: with transparent huge pages set to "madvise" (a common default) this is what enables them; where they
  // are off or unsupported the call fails harmlessly.
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

namespace detail {
namespace {

struct CachedBuffer {
  void* p;
  std::size_t bytes, align;
};

// This thread's released buffers, oldest first. `dead` outlives the cache (trivially destructible, never destroyed):
// a buffer released after the thread's cache is gone (a static that owns one, destroyed later) is freed directly.
thread_local bool dead = false;
struct Cache {
  std::vector<CachedBuffer> kept;
  std::size_t bytes = 0;
  void clear() noexcept {
    for (const CachedBuffer& b : kept) std::free(b.p);
    kept.clear();
    bytes = 0;
  }
  ~Cache() {
    clear();
    dead = true;
  }
};
Cache& cache() {
  thread_local Cache c;
  return c;
}

}  // namespace

void* acquire_aligned(std::size_t bytes, std::size_t align) {
  if (!dead && bytes >= kCachedBufferMin && bytes <= kCachedBufferMax) {
    Cache& c = cache();
    for (std::size_t i = c.kept.size(); i-- > 0;) {
      const CachedBuffer b = c.kept[i];
      if (b.bytes != bytes || b.align != align) continue;
      c.kept.erase(c.kept.begin() + static_cast<std::ptrdiff_t>(i));
      c.bytes -= bytes;
      return b.p;
    }
  }
  return std::aligned_alloc(align, bytes);
}

void release_aligned(void* p, std::size_t bytes, std::size_t align) noexcept {
  if (dead || bytes < kCachedBufferMin || bytes > kCachedBufferMax) {
    std::free(p);
    return;
  }
  Cache& c = cache();
  try {
    c.kept.reserve(kCachedBuffers);
  } catch (...) {
    std::free(p);
    return;
  }
  std::size_t drop = 0;  // the oldest, until this one fits
  std::size_t kept_bytes = c.bytes;
  while (drop < c.kept.size() && (c.kept.size() - drop >= kCachedBuffers || kept_bytes + bytes > kCachedBufferBytes))
    kept_bytes -= c.kept[drop++].bytes;
  for (std::size_t i = 0; i < drop; ++i) std::free(c.kept[i].p);
  c.kept.erase(c.kept.begin(), c.kept.begin() + static_cast<std::ptrdiff_t>(drop));
  c.bytes = kept_bytes + bytes;
  c.kept.push_back({p, bytes, align});
}

void release_cached_buffers() noexcept {
  if (!dead) cache().clear();
}

std::pair<std::size_t, std::size_t> cached_buffers() noexcept {
  if (dead) return {0, 0};
  const Cache& c = cache();
  return {c.kept.size(), c.bytes};
}

}  // namespace detail

bool allocation_needs_check(std::uint64_t bytes) {
  if (bytes >= kUncheckedAllocationBytes) return true;
  const std::uint64_t limit = env_memory_limit();
  return limit != 0 && bytes > limit;
}

void check_allocation(std::uint64_t bytes, const std::string& what) {
  if (!allocation_needs_check(bytes)) return;
  const std::uint64_t avail = available_memory_bytes();
  if (avail != 0 && bytes > avail) {
    throw ResourceError(what + " needs " + format_bytes(double(bytes)) + " (" + std::to_string(bytes) +
                        " bytes) but only " + format_bytes(double(avail)) + " of memory is available");
  }
}

}  // namespace qnn
