#include "qnn/io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

namespace fs = std::filesystem;

// Each test gets its own empty directory, removed afterwards, so "nothing left behind" is checkable by listing it.
class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("qnn_atomic_file_test." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  std::vector<std::string> entries(const fs::path& d) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  static void write_plain(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
  }

  // Expects `fn` to throw IoError and returns its message.
  template <class Fn>
  static std::string io_error_message(Fn&& fn) {
    try {
      fn();
    } catch (const IoError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected IoError";
    return {};
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, RoundTrip) {
  const fs::path p = dir_ / "model.json";
  write_file_atomic(p, "{\"a\": 1}\n");
  EXPECT_EQ(read_file(p), "{\"a\": 1}\n");
}

TEST_F(AtomicFileTest, RoundTripBinaryAndEmpty) {
  const std::string binary("a\0b\r\n\xff", 6);
  write_file_atomic(dir_ / "bin", binary);
  EXPECT_EQ(read_file(dir_ / "bin"), binary);
  write_file_atomic(dir_ / "empty", "");
  EXPECT_EQ(read_file(dir_ / "empty"), "");
  EXPECT_TRUE(fs::exists(dir_ / "empty"));
}

TEST_F(AtomicFileTest, LargeContents) {
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  write_file_atomic(dir_ / "big", big);
  EXPECT_EQ(read_file(dir_ / "big"), big);
}

TEST_F(AtomicFileTest, OverwriteReplacesContent) {
  const fs::path p = dir_ / "state.txt";
  write_file_atomic(p, "a much longer first version of the file");
  write_file_atomic(p, "short");
  EXPECT_EQ(read_file(p), "short");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"state.txt"});
}

TEST_F(AtomicFileTest, NoTempFilesLeftAfterSuccess) {
  for (int i = 0; i < 5; ++i) write_file_atomic(dir_ / "a.txt", std::to_string(i));
  write_file_atomic(dir_ / "b.txt", "b");
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"a.txt", "b.txt"}));
}

TEST_F(AtomicFileTest, RelativePathInCurrentDirectory) {
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir_);
  write_file_atomic("plain.txt", "here");
  fs::current_path(old_cwd);
  EXPECT_EQ(read_file(dir_ / "plain.txt"), "here");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"plain.txt"});
}

TEST_F(AtomicFileTest, KeepsPermissionBitsOfExistingFile) {
  const fs::path p = dir_ / "private.txt";
  write_file_atomic(p, "v1");
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomic(p, "v2");
  EXPECT_EQ(read_file(p), "v2");
  EXPECT_EQ(fs::status(p).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(AtomicFileTest, ConcurrentWritersLeaveOneCompleteVersion) {
  const fs::path p = dir_ / "shared.txt";
  std::vector<std::string> versions;
  for (int t = 0; t < 4; ++t) versions.push_back(std::string(100000, static_cast<char>('a' + t)));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) write_file_atomic(p, versions[static_cast<std::size_t>(t)]);
    });
  }
  for (auto& th : threads) th.join();
  const std::string final_contents = read_file(p);
  EXPECT_NE(std::find(versions.begin(), versions.end(), final_contents), versions.end());
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"shared.txt"});
}

TEST_F(AtomicFileTest, NonexistentDirectoryThrowsAndLeavesNothing) {
  const fs::path p = dir_ / "missing" / "model.json";
  const std::string msg = io_error_message([&] { write_file_atomic(p, "x"); });
  EXPECT_EQ(msg, "cannot write " + p.string() + ": No such file or directory");
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
  EXPECT_TRUE(entries(dir_).empty());
}

// Root ignores permission bits, so failures are provoked through a path under a regular file, which fails for anyone.
TEST_F(AtomicFileTest, PathUnderRegularFileThrows) {
  write_plain(dir_ / "somefile", "keep me");
  const fs::path p = dir_ / "somefile" / "child";
  const std::string msg = io_error_message([&] { write_file_atomic(p, "x"); });
  EXPECT_EQ(msg, "cannot write " + p.string() + ": Not a directory");
  EXPECT_EQ(read_file(dir_ / "somefile"), "keep me");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"somefile"});
}

TEST_F(AtomicFileTest, OverADirectoryThrowsAndRemovesTemp) {
  fs::create_directory(dir_ / "sub");
  const std::string msg = io_error_message([&] { write_file_atomic(dir_ / "sub", "x"); });
  EXPECT_EQ(msg, "cannot write " + (dir_ / "sub").string() + ": Is a directory");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"sub"});
  EXPECT_TRUE(fs::is_directory(dir_ / "sub"));
}

// A FIFO (like /dev/stdout or /dev/null) is written in place: a rename over it would replace the node with a regular
// file, and as root that would break /dev/null for every program on the machine.
TEST_F(AtomicFileTest, FifoIsWrittenInPlaceNotReplaced) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = read_file(fifo); });
  write_file_atomic(fifo, "through the pipe");
  reader.join();
  EXPECT_EQ(received, "through the pipe");
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"pipe"});
}

// A symlink is written through: its target gets the new contents (atomically, by a rename in the target's own
// directory) and the link stays a link. Renaming over the link would replace it with a regular file.
TEST_F(AtomicFileTest, SymlinkIsWrittenThroughAndStaysALink) {
  fs::create_directory(dir_ / "real");
  write_plain(dir_ / "real" / "model.json", "old");
  ASSERT_EQ(::chmod((dir_ / "real" / "model.json").c_str(), 0600), 0);
  fs::create_symlink(fs::path("real") / "model.json", dir_ / "link.json");  // relative to the link's directory
  write_file_atomic(dir_ / "link.json", "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.json"));
  EXPECT_EQ(read_file(dir_ / "real" / "model.json"), "new");
  EXPECT_EQ(read_file(dir_ / "link.json"), "new");
  EXPECT_EQ(fs::status(dir_ / "real" / "model.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"link.json", "real"}));
  EXPECT_EQ(entries(dir_ / "real"), std::vector<std::string>{"model.json"});
}

TEST_F(AtomicFileTest, ChainOfSymlinksIsFollowedToTheFile) {
  fs::create_directories(dir_ / "a" / "b");
  write_plain(dir_ / "a" / "b" / "f", "old");
  fs::create_symlink(fs::path("b") / "f", dir_ / "a" / "l2");  // relative to a/
  fs::create_symlink(dir_ / "a" / "l2", dir_ / "l1");           // absolute
  write_file_atomic(dir_ / "l1", "new", Durability::Process);
  EXPECT_TRUE(fs::is_symlink(dir_ / "l1"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "a" / "l2"));
  EXPECT_EQ(read_file(dir_ / "a" / "b" / "f"), "new");
  EXPECT_EQ(entries(dir_ / "a" / "b"), std::vector<std::string>{"f"});
}

TEST_F(AtomicFileTest, DanglingSymlinkCreatesItsTarget) {
  fs::create_symlink("target.csv", dir_ / "link.csv");
  write_file_atomic(dir_ / "link.csv", "rows");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.csv"));
  EXPECT_EQ(read_file(dir_ / "target.csv"), "rows");
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"link.csv", "target.csv"}));
}

TEST_F(AtomicFileTest, SymlinkCycleThrowsAndLeavesTheLinks) {
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink("a", dir_ / "b");
  const std::string msg = io_error_message([&] { write_file_atomic(dir_ / "a", "x"); });
  EXPECT_EQ(msg, "cannot write " + (dir_ / "a").string() + ": Too many levels of symbolic links");
  EXPECT_TRUE(fs::is_symlink(dir_ / "a"));
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"a", "b"}));
}

TEST_F(AtomicFileTest, SymlinkIntoMissingDirectoryThrowsAndLeavesTheLink) {
  fs::create_symlink(fs::path("missing") / "f", dir_ / "link");
  const std::string msg = io_error_message([&] { write_file_atomic(dir_ / "link", "x"); });
  EXPECT_EQ(msg, "cannot write " + (dir_ / "link").string() + ": No such file or directory");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"link"});
}

TEST_F(AtomicFileTest, PathWithoutFileNameThrows) {
  EXPECT_THROW(write_file_atomic(dir_ / "", "x"), IoError);
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(AtomicFileTest, UnwritableDirectoryThrowsWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root bypasses permission bits";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  const fs::path p = dir_ / "model.json";
  const std::string msg = io_error_message([&] { write_file_atomic(p, "x"); });
  EXPECT_EQ(msg, "cannot write " + p.string() + ": Permission denied");
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(AtomicFileTest, ReadMissingFileNamesPath) {
  const fs::path p = dir_ / "nope.csv";
  const std::string msg = io_error_message([&] { (void)read_file(p); });
  EXPECT_EQ(msg, "cannot read " + p.string() + ": No such file or directory");
}

TEST_F(AtomicFileTest, ReadDirectoryIsRefused) {
  const std::string msg = io_error_message([&] { (void)read_file(dir_); });
  EXPECT_EQ(msg, "cannot read " + dir_.string() + ": Is a directory");
}

TEST_F(AtomicFileTest, ReadUnderRegularFileThrows) {
  write_plain(dir_ / "somefile", "x");
  const fs::path p = dir_ / "somefile" / "child";
  const std::string msg = io_error_message([&] { (void)read_file(p); });
  EXPECT_EQ(msg, "cannot read " + p.string() + ": Not a directory");
}

// A killed writer's temporaries (no process has their pid; 2^31 − 2 is beyond any pid_max) are removed; a running
// process's (this one's) and every other file are kept.
TEST_F(AtomicFileTest, RemoveStaleTemporariesKeepsLiveWritersAndOtherFiles) {
  const std::string me = std::to_string(::getpid()), dead = "2147483646";
  const std::vector<std::string> stale{".model.json.tmp." + dead + ".0", ".qnn-probe." + dead + ".3"};
  const std::vector<std::string> kept{".checkpoint.json.tmp." + me + ".1", ".qnn-probe." + me + ".2", "model.json",
                                      ".hidden", ".x.tmp.12a.0", ".y.tmp." + dead + ".", ".z.tmp." + dead};
  for (const auto& f : stale) write_plain(dir_ / f, "x");
  for (const auto& f : kept) write_plain(dir_ / f, "x");
  EXPECT_EQ(remove_stale_temporaries(dir_), stale.size());
  std::vector<std::string> expected = kept;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(entries(dir_), expected);
  EXPECT_EQ(remove_stale_temporaries(dir_ / "missing"), 0U);
}

TEST_F(AtomicFileTest, EnsureDirectoryCreatesParentsAndLeavesNoProbe) {
  const fs::path d = dir_ / "a" / "b" / "c";
  ensure_directory(d);
  EXPECT_TRUE(fs::is_directory(d));
  EXPECT_TRUE(entries(d).empty());
  ensure_directory(d);  // existing directory is fine
  ensure_directory(dir_ / "trailing" / "");
  EXPECT_TRUE(fs::is_directory(dir_ / "trailing"));
  EXPECT_TRUE(entries(dir_ / "trailing").empty());
  write_file_atomic(d / "f", "ok");
  EXPECT_EQ(read_file(d / "f"), "ok");
}

TEST_F(AtomicFileTest, EnsureDirectoryUnderRegularFileThrows) {
  write_plain(dir_ / "somefile", "x");
  const fs::path d = dir_ / "somefile" / "out";
  const std::string msg = io_error_message([&] { ensure_directory(d); });
  EXPECT_EQ(msg.rfind("cannot write to directory " + d.string() + ": ", 0), 0u) << msg;
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"somefile"});
}

TEST_F(AtomicFileTest, EnsureDirectoryOnRegularFileThrows) {
  write_plain(dir_ / "somefile", "x");
  const fs::path d = dir_ / "somefile";
  const std::string msg = io_error_message([&] { ensure_directory(d); });
  EXPECT_EQ(msg.rfind("cannot write to directory " + d.string() + ": ", 0), 0u) << msg;
  EXPECT_EQ(read_file(d), "x");
}

TEST_F(AtomicFileTest, EnsureDirectoryUnwritableThrowsWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root bypasses permission bits";
  const fs::path d = dir_ / "ro";
  fs::create_directory(d);
  fs::permissions(d, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string msg = io_error_message([&] { ensure_directory(d); });
  fs::permissions(d, fs::perms::owner_all);
  EXPECT_EQ(msg, "cannot write to directory " + d.string() + ": Permission denied");
}

}  // namespace
}  // namespace qnn
