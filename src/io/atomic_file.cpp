#include "qnn/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn {

namespace fs = std::filesystem;

namespace {

// generic_category().message is strerror without strerror's shared buffer, so concurrent failures don't garble.
std::string reason(int err) { return std::generic_category().message(err); }

// The pid separates processes writing into one directory; the counter separates threads and calls of one process.
std::atomic<unsigned long long> g_temp_counter{0};

std::string unique_suffix() {
  return std::to_string(::getpid()) + '.' + std::to_string(g_temp_counter.fetch_add(1, std::memory_order_relaxed));
}

// Owns a file descriptor so that every exit path closes it.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  // Explicit close for writers: NFS and some other file systems report a failed write only here.
  int close() noexcept { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

// Removes the temporary file unless the rename has consumed it.
class TempFileGuard {
 public:
  explicit TempFileGuard(const fs::path& path) : path_(path) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (armed_) ::unlink(path_.c_str());
  }
  void release() noexcept { armed_ = false; }

 private:
  const fs::path& path_;
  bool armed_ = true;
};

/// 0 on success, else the errno of the failed write; retries partial writes and EINTR.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

/// 0 on success (or where the file system cannot sync directories), else errno. Makes the rename itself durable.
int sync_directory(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // A write-only directory cannot be opened for the sync; the rename has happened, so that is not a failed write.
  if (fd.get() < 0) return errno == EACCES ? 0 : errno;
  if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != ENOTSUP) return errno;
  return 0;
}

/// `path` with every symlink in its last component followed (the path itself when that is not a symlink): the file
/// that open(path, O_CREAT) would write. A relative link resolves against the directory holding the link, as the
/// kernel resolves it. Throws fail(errno) for a link that cannot be read and fail(ELOOP) after 40 links (a cycle).
template <class Fail>
fs::path resolve_symlinks(const fs::path& path, const Fail& fail) {
  fs::path target = path;
  for (int links = 0;; ++links) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
    if (links >= 40) throw fail(ELOOP);  // the kernel's own limit (MAXSYMLINKS)
    std::error_code ec;
    fs::path next = fs::read_symlink(target, ec);
    if (ec) throw fail(ec.value());
    if (!next.has_filename()) next = next.parent_path();  // "dir/" names "dir"
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view contents, Durability durability) {
  const std::string shown = path.string();
  const auto fail = [&](int err) { return IoError("cannot write " + shown + ": " + reason(err)); };
  if (!path.has_filename()) throw IoError("cannot write " + shown + ": not a file name");

  // rename() would give the file the temporary's fresh mode; a user who made a file private expects it to stay so.
  struct stat old_stat {};
  const bool exists = ::stat(path.c_str(), &old_stat) == 0;
  const bool keep_mode = exists && S_ISREG(old_stat.st_mode);

  // A device, FIFO or socket (/dev/stdout, /dev/null, a pipe) is written in place: renaming a temporary over it would
  // replace the device node itself with a regular file (as root, `--out /dev/null` would break /dev/null for every
  // program). Such a target has no old contents to keep, so there is nothing atomicity would protect.
  if (exists && !S_ISREG(old_stat.st_mode) && !S_ISDIR(old_stat.st_mode)) {
    Fd file(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (file.get() < 0) throw fail(errno);
    if (const int err = write_all(file.get(), contents)) throw fail(err);
    if (file.close() != 0) throw fail(errno);
    return;
  }

  // A symlink is written through, as open() would: the new contents replace the file it points to (created if the link
  // dangles), atomically in that file's directory, and the link stays a link. Renaming over `path` itself would turn
  // the link into a regular file and leave its target with the old contents.
  const fs::path target = resolve_symlinks(path, fail);
  const fs::path target_dir = target.has_parent_path() ? target.parent_path() : fs::path(".");

  // The temporary lives in the target's directory because rename() is only atomic within one file system.
  fs::path temp;
  int raw_fd = -1;
  for (int attempt = 0;; ++attempt) {
    temp = target_dir / ('.' + target.filename().string() + ".tmp." + unique_suffix());
    raw_fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (raw_fd >= 0) break;
    // EEXIST: a leftover of a crashed process that had our pid; the next counter value avoids it.
    if (errno != EEXIST || attempt >= 100) throw fail(errno);
  }
  TempFileGuard guard(temp);  // declared before the Fd, so on a throw the file is closed before it is unlinked
  Fd file(raw_fd);

  if (const int err = write_all(file.get(), contents)) throw fail(err);
  if (keep_mode && ::fchmod(file.get(), old_stat.st_mode & 07777) != 0) throw fail(errno);
  const bool sync = durability == Durability::PowerLoss;
  if (sync && ::fsync(file.get()) != 0) throw fail(errno);
  if (file.close() != 0) throw fail(errno);
  if (::rename(temp.c_str(), target.c_str()) != 0) throw fail(errno);
  guard.release();
  if (sync) {
    if (const int err = sync_directory(target_dir)) throw fail(err);
  }
}

std::size_t remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec);
  if (ec) return 0;
  std::size_t removed = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;  // a listing that fails midway: what was read so far is done
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] != '.') continue;
    // The suffix PID.N after ".tmp." (write_file_atomic) or at ".qnn-probe." (ensure_directory).
    std::size_t at = name.rfind(".tmp.");
    if (at != std::string::npos) {
      at += 5;
    } else if (name.starts_with(".qnn-probe.")) {
      at = 11;
    } else {
      continue;
    }
    const std::size_t dot = name.find('.', at);
    if (dot == std::string::npos || dot == at || dot + 1 == name.size()) continue;
    const std::string pid = name.substr(at, dot - at), counter = name.substr(dot + 1);
    auto digits = [](const std::string& s) { return s.find_first_not_of("0123456789") == std::string::npos; };
    if (!digits(pid) || !digits(counter) || pid.size() > 10) continue;
    const long long id = std::stoll(pid);
    if (id <= 0 || id > 2147483647LL) continue;
    // kill(pid, 0) fails with ESRCH only where no process has that pid (EPERM: one runs, owned by someone else).
    if (::kill(static_cast<pid_t>(id), 0) == 0 || errno != ESRCH) continue;
    std::error_code gone;
    if (fs::remove(entry.path(), gone) && !gone) ++removed;
  }
  return removed;
}

void ensure_directory(const fs::path& dir) {
  const std::string shown = dir.string();
  const auto fail = [&](const std::string& why) { return IoError("cannot write to directory " + shown + ": " + why); };
  const fs::path target = dir.empty() ? fs::path(".") : dir;

  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) throw fail(ec.message());
  if (!fs::is_directory(target, ec)) throw fail(reason(ENOTDIR));

  // Only an actual file creation answers "writable?" truthfully: access() ignores read-only mounts and root's
  // override, and permission bits ignore ACLs.
  const fs::path probe = target / (".qnn-probe." + unique_suffix());
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw fail(reason(errno));
  fd.close();
  if (::unlink(probe.c_str()) != 0) throw fail(reason(errno));
}

std::string read_file(const fs::path& path) {
  const std::string shown = path.string();
  const auto fail = [&](int err) { return IoError("cannot read " + shown + ": " + reason(err)); };

  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw fail(errno);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) throw fail(errno);
  // open() succeeds on a directory; refuse here so the message says why instead of failing at read().
  if (S_ISDIR(st.st_mode)) throw fail(EISDIR);

  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
  // Read until EOF rather than trusting st_size: pipes and /proc files report 0, and a file may grow meanwhile.
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(errno);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace qnn
