// The parallel-for policy: a SerialScope keeps every loop started inside it on the calling thread.
#include "qnn/core/parallel.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace qnn {
namespace {

// The ids of the threads that ran the items of a loop well above every threshold.
std::vector<std::thread::id> loop_threads() {
  const std::uint64_t n = std::uint64_t{1} << 16;
  std::vector<std::thread::id> ids(n);
  parallel_for(n, [&](std::uint64_t i) { ids[i] = std::this_thread::get_id(); });
  return ids;
}

bool all_on_this_thread(const std::vector<std::thread::id>& ids) {
  for (const auto& id : ids)
    if (id != std::this_thread::get_id()) return false;
  return true;
}

TEST(SerialScope, KeepsLoopsOnTheCallingThreadWhileActive) {
  const int saved = num_threads();
  set_num_threads(2);
  EXPECT_FALSE(serial_here());
  EXPECT_FALSE(all_on_this_thread(loop_threads()));  // not vacuous: this loop does split
  {
    const SerialScope serial;
    EXPECT_TRUE(serial_here());
    EXPECT_TRUE(all_on_this_thread(loop_threads()));
    {
      const SerialScope inactive(false);  // an inactive scope changes nothing, nested or not
      EXPECT_TRUE(all_on_this_thread(loop_threads()));
    }
    std::vector<std::thread::id> tasks(8);
    parallel_tasks(8, [&](std::uint64_t i) { tasks[i] = std::this_thread::get_id(); }, std::uint64_t{1} << 20);
    EXPECT_TRUE(all_on_this_thread(tasks));
  }
  EXPECT_FALSE(serial_here());
  {
    const SerialScope inactive(false);
    EXPECT_FALSE(serial_here());
  }
  set_num_threads(saved);
}

}  // namespace
}  // namespace qnn
