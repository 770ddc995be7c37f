#include "qnn/core/memory.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
