// Codes as data: stabilizers commute, logicals commute with the other type's stabilizers and anticommute with each
// other, and counts match [[n, k, d]].
#include "qnn/qec/css_code.hpp"

#include <gtest/gtest.h>

#include <set>

#include "qnn/core/error.hpp"

namespace qnn::qec {
namespace {

std::size_t overlap(const std::vector<std::int32_t>& a, const std::vector<std::uint32_t>& b) {
  std::size_t n = 0;
  for (auto q : a)
    for (auto r : b) n += q != Stabilizer::kIdle && static_cast<std::uint32_t>(q) == r;
  return n;
}

std::vector<std::uint32_t> support(const Stabilizer& s) {
  std::vector<std::uint32_t> v;
  for (auto q : s.qubits)
    if (q != Stabilizer::kIdle) v.push_back(static_cast<std::uint32_t>(q));
  return v;
}

void check_css(const CssCode& c, std::size_t n, std::size_t num_stabilizers) {
  SCOPED_TRACE(c.name + " d=" + std::to_string(c.distance));
  EXPECT_EQ(c.num_data, n);
  // k = n − (number of independent stabilizers) = 1 for every code here (the generators listed are independent).
  EXPECT_EQ(c.x_stabilizers.size() + c.z_stabilizers.size(), num_stabilizers);
  for (const auto& x : c.x_stabilizers)
    for (const auto& z : c.z_stabilizers) EXPECT_EQ(overlap(x.qubits, support(z)) % 2, 0U);
  for (const auto& x : c.x_stabilizers) EXPECT_EQ(overlap(x.qubits, c.logical_z) % 2, 0U);
  for (const auto& z : c.z_stabilizers) EXPECT_EQ(overlap(z.qubits, c.logical_x) % 2, 0U);
  std::vector<std::int32_t> lx(c.logical_x.begin(), c.logical_x.end());
  EXPECT_EQ(overlap(lx, c.logical_z) % 2, 1U);
  // Each stabilizer names distinct data qubits.
  for (const auto* list : {&c.x_stabilizers, &c.z_stabilizers})
    for (const auto& s : *list) {
      const auto v = support(s);
      EXPECT_EQ(std::set<std::uint32_t>(v.begin(), v.end()).size(), v.size());
      for (auto q : v) EXPECT_LT(q, c.num_data);
    }
}

TEST(CssCode, Families) {
  for (unsigned d : {3U, 5U, 7U, 9U}) {
    check_css(rotated_surface_code(d), d * d, d * d - 1);
    check_css(repetition_code(d, Basis::Z), d, d - 1);
    check_css(repetition_code(d, Basis::X), d, d - 1);
  }
  check_css(steane_code(), 7, 6);
  check_css(shor_code(), 9, 8);
}

TEST(CssCode, SurfaceCodeScheduleUsesEachDataQubitOncePerStep) {
  const CssCode c = rotated_surface_code(5);
  for (std::size_t step = 0; step < 4; ++step) {
    std::set<std::int32_t> used;
    for (const auto* list : {&c.x_stabilizers, &c.z_stabilizers})
      for (const auto& s : *list) {
        ASSERT_EQ(s.qubits.size(), 4U);
        if (s.qubits[step] == Stabilizer::kIdle) continue;
        EXPECT_TRUE(used.insert(s.qubits[step]).second) << "step " << step << " qubit " << s.qubits[step];
      }
  }
}

TEST(CssCode, InvalidRequests) {
  EXPECT_THROW(make_code("surface", 4), ValueError);
  EXPECT_THROW(make_code("surface", 1), ValueError);
  EXPECT_THROW(make_code("steane", 5), ValueError);
  EXPECT_THROW(make_code("toric", 3), ValueError);
  EXPECT_EQ(make_code("shor", 3).num_data, 9U);
}

}  // namespace
}  // namespace qnn::qec
