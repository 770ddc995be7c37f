#pragma once
// Aligned storage for amplitudes, and the one place that decides whether an allocation can fit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn {

/// Bytes of memory the system can still give us (MemAvailable), or 0 if unknown.
std::uint64_t available_memory_bytes();

/// Human-readable byte count: "16.0 GiB".
std::string format_bytes(double bytes);

/// Throws ResourceError naming `what` and the bytes it needs if `bytes` cannot fit in available memory.
void check_allocation(std::uint64_t bytes, const std::string& what);

/// Requests below this size are not checked against the available memory: reading /proc/meminfo costs 50–100 µs, more
/// than simulating a small circuit, and an allocation this small that fails is std::bad_alloc anyway. QNN_MEMORY_LIMIT,
/// when set, is still honoured for every size.
inline constexpr std::uint64_t kUncheckedAllocationBytes = std::uint64_t{16} << 20;
/// Whether check_allocation would look at the available memory for `bytes` (callers build the message only then).
bool allocation_needs_check(std::uint64_t bytes);

/// Asks the kernel to back [p, p + bytes) with transparent huge pages (a no-op where it cannot). `p` is aligned to
/// kHugePageBytes; call before the first touch.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

namespace detail {
/// Memory for an AlignedBuffer: a buffer of exactly `bytes` (a multiple of `align`) that this thread released
/// earlier, or a fresh one; nullptr when the system has none. Buffers of kCachedBufferMin up to kCachedBufferMax bytes
/// are kept per thread when released (at most kCachedBuffers of them, kCachedBufferBytes together, the oldest given
/// back first). A training step allocates the same states every call; freed to the system, each of their pages
/// faulted back in on the next call (3-4 µs per 4 KiB page here): a batched training step at 8 qubits, alternated with
/// the one-sample loop, took 2.36 ms with the faults and 1.55 ms without.
void* acquire_aligned(std::size_t bytes, std::size_t align);
/// Gives back memory from acquire_aligned (kept for this thread, or freed).
void release_aligned(void* p, std::size_t bytes, std::size_t align) noexcept;
inline constexpr std::size_t kCachedBufferMin = std::size_t{64} << 10;
inline constexpr std::size_t kCachedBufferMax = std::size_t{8} << 20;
inline constexpr std::size_t kCachedBuffers = 32;
inline constexpr std::size_t kCachedBufferBytes = std::size_t{64} << 20;
/// Frees what this thread keeps (tests, and callers that want the memory back now).
void release_cached_buffers() noexcept;
/// Buffers and bytes this thread keeps.
std::pair<std::size_t, std::size_t> cached_buffers() noexcept;
}  // namespace detail

/// A 64-byte aligned, uninitialised array of trivially copyable T. Move-only owner, deep copy on copy.
template <class T>
class AlignedBuffer {
 public:
  static constexpr std::size_t alignment = 64;
  /// Buffers from this size on are huge-page aligned and advised.
  static constexpr std::size_t kHugePageFrom = std::size_t{8} << 20;

  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t n) : size_(n) {
    if (n == 0) return;
    // Large buffers (state vectors) start on a huge page and ask for huge pages: a gate on the highest qubit walks
    // two streams 2^(n-1) amplitudes apart, and with 4 KiB pages each stream needs a TLB walk every 4 KiB.
    const std::size_t align = n * sizeof(T) >= kHugePageFrom ? kHugePageBytes : alignment;
    const std::size_t bytes = (n * sizeof(T) + align - 1) / align * align;
    data_ = static_cast<T*>(detail::acquire_aligned(bytes, align));
    if (data_ == nullptr) throw ResourceError("allocation of " + format_bytes(double(bytes)) + " failed");
    if (align == kHugePageBytes) advise_huge_pages(data_, bytes);
  }
  AlignedBuffer(const AlignedBuffer& o) : AlignedBuffer(o.size_) {
    if (size_) std::memcpy(static_cast<void*>(data_), o.data_, size_ * sizeof(T));
  }
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~AlignedBuffer() {
    if (data_ == nullptr) return;
    const std::size_t align = size_ * sizeof(T) >= kHugePageFrom ? kHugePageBytes : alignment;
    detail::release_aligned(data_, (size_ * sizeof(T) + align - 1) / align * align, align);
  }

  [[nodiscard]] T* data() noexcept { return data_; }
  [[nodiscard]] const T* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace qnn
