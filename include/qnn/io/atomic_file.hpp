#pragma once
// Whole-file reads and crash-safe writes. A model or checkpoint written with write_file_atomic is either the old file
// or the complete new one, never a torn mix: a run killed mid-write (or a full disk) must not destroy the last good
// copy. All failures are IoError with a one-line message naming the path and the system's reason.
#include <filesystem>
#include <string>
#include <string_view>

namespace qnn {

/// Replaces `path` with `contents`: writes a unique temporary file in the same directory, fsyncs it, renames it over
/// `path` and fsyncs the directory. An existing file keeps its permission bits. On failure the temporary file is
/// removed and IoError("cannot write PATH: reason") is thrown; `path` is then untouched. An existing target that is
/// not a regular file (a device such as /dev/null or /dev/stdout, a FIFO) is written in place, never replaced. A
/// symlink is written through: its target (created if the link dangles) is replaced atomically in the target's own
/// directory, and the link stays a link.
///
/// Durability::Process skips both fsyncs: the rename alone already guarantees that a killed process leaves the old or
/// the new file, and only a power loss could then lose the write. For files rewritten every epoch (checkpoints,
/// metrics), where a sync per epoch would cost more than the epoch on a small model.
enum class Durability : unsigned char { PowerLoss, Process };
void write_file_atomic(const std::filesystem::path& path, std::string_view contents,
                       Durability durability = Durability::PowerLoss);

/// Creates `dir` and its parents if needed, then proves it is writable by creating and removing a probe file (access()
/// can lie: read-only mounts, ACLs, root). Throws IoError("cannot write to directory DIR: reason").
void ensure_directory(const std::filesystem::path& dir);

/// Removes, from `dir`, the temporaries of write_file_atomic and ensure_directory (".NAME.tmp.PID.N",
/// ".qnn-probe.PID.N") whose process no longer runs: what a writer killed between creating and renaming its temporary
/// (SIGKILL, a power cut) leaves behind. Those of a running process are left alone. Returns how many it removed; a
/// directory that cannot be listed removes nothing.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir);

/// The whole contents of a file. Throws IoError("cannot read PATH: reason"), also for a directory.
std::string read_file(const std::filesystem::path& path);

}  // namespace qnn
