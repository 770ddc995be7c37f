#pragma once
// One family of exceptions for the whole library. Validation happens at the API boundary (QuEST's habit):
// messages name the bad value and the allowed range, so the CLI can print them as one line.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace qnn {

/// Base of every error qnn throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A value outside its allowed range: a qubit index, a size, a NaN parameter, a shape mismatch.
class ValueError : public Error {
 public:
  using Error::Error;
};

/// A request that would need more memory than the machine has; thrown before allocating.
class ResourceError : public Error {
 public:
  using Error::Error;
};

/// A malformed input file; the message is `file:line:col: what`.
class ParseError : public Error {
 public:
  ParseError(const std::string& file, std::size_t line, std::size_t column, const std::string& what);
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  [[nodiscard]] std::size_t column() const noexcept { return column_; }

 private:
  std::string file_;
  std::size_t line_;
  std::size_t column_;
};

/// An input/output failure: a missing file, an unwritable directory.
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace qnn
