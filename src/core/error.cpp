#include "qnn/core/error.hpp"

namespace qnn {

namespace {
std::string located(const std::string& file, std::size_t line, std::size_t column, const std::string& what) {
  std::string s = file;
  if (line > 0) s.append(1, ':').append(std::to_string(line));
  if (column > 0) s.append(1, ':').append(std::to_string(column));
  s.append(": ").append(what);
  return s;
}
}  // namespace

ParseError::ParseError(const std::string& file, std::size_t line, std::size_t column, const std::string& what)
    : Error(located(file, line, column, what)), file_(file), line_(line), column_(column) {}

}  // namespace qnn
