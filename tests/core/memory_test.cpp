// Aligned buffers and the per-thread cache of released ones (qnn/core/memory.hpp).
#include "qnn/core/memory.hpp"

#include <gtest/gtest.h>

#include <complex>
#include <memory>
#include <cstdint>
#include <thread>
#include <vector>

namespace qnn {
namespace {

using detail::cached_buffers;
using detail::kCachedBufferBytes;
using detail::kCachedBufferMax;
using detail::kCachedBufferMin;
using detail::kCachedBuffers;

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(AlignedBuffer, AlignedAndCopied) {
  for (std::size_t n : {std::size_t{1}, std::size_t{1000}, (std::size_t{16} << 20) / sizeof(double)}) {
    AlignedBuffer<double> a(n);
    const std::size_t align = n * sizeof(double) >= AlignedBuffer<double>::kHugePageFrom ? kHugePageBytes : 64;
    EXPECT_EQ(address(a.data()) % align, 0U) << n;
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<double>(i);
    const AlignedBuffer<double> b(a);
    ASSERT_EQ(b.size(), n);
    EXPECT_NE(b.data(), a.data());
    EXPECT_EQ(b[n - 1], static_cast<double>(n - 1));
  }
}

TEST(AlignedBuffer, ReleasedBuffersAreReusedPerSize) {
  detail::release_cached_buffers();
  const std::size_t n = kCachedBufferMin / sizeof(std::complex<double>) * 2;
  const std::complex<double>* first = nullptr;
  {
    AlignedBuffer<std::complex<double>> a(n);
    first = a.data();
  }
  EXPECT_EQ(cached_buffers().first, 1U);
  EXPECT_EQ(cached_buffers().second, n * sizeof(std::complex<double>));
  {
    AlignedBuffer<std::complex<double>> other(n / 2);  // another size: a fresh buffer
    EXPECT_NE(other.data(), first);
    AlignedBuffer<std::complex<double>> again(n);  // the same size: the released one
    EXPECT_EQ(again.data(), first);
    EXPECT_EQ(cached_buffers().first, 0U);
  }
  EXPECT_EQ(cached_buffers().first, 2U);
  detail::release_cached_buffers();
  EXPECT_EQ(cached_buffers(), (std::pair<std::size_t, std::size_t>{0, 0}));
}

TEST(AlignedBuffer, CacheKeepsItsLimitsAndSkipsSmallAndLargeBuffers) {
  detail::release_cached_buffers();
  { AlignedBuffer<char> small(kCachedBufferMin - 64); }
  { AlignedBuffer<char> large(kCachedBufferMax + 64); }
  EXPECT_EQ(cached_buffers().first, 0U);
  {
    std::vector<AlignedBuffer<char>> many;
    for (std::size_t i = 0; i < kCachedBuffers + 5; ++i) many.emplace_back(kCachedBufferMin + 64 * i);
  }
  EXPECT_EQ(cached_buffers().first, kCachedBuffers);
  {
    std::vector<AlignedBuffer<char>> big;
    for (std::size_t i = 0; i < kCachedBufferBytes / kCachedBufferMax + 2; ++i) big.emplace_back(kCachedBufferMax);
  }
  EXPECT_LE(cached_buffers().second, kCachedBufferBytes);
  EXPECT_LE(cached_buffers().first, kCachedBuffers);
  detail::release_cached_buffers();
}

TEST(AlignedBuffer, ReleasedOnAnotherThreadIsKeptThere) {
  detail::release_cached_buffers();
  auto a = std::make_unique<AlignedBuffer<double>>(kCachedBufferMin);
  std::size_t kept_there = 0;
  std::thread t([&] {
    a.reset();
    kept_there = cached_buffers().first;
  });
  t.join();
  EXPECT_EQ(kept_there, 1U);
  EXPECT_EQ(cached_buffers().first, 0U);
}

}  // namespace
}  // namespace qnn
