#include "qnn/circuit/pauli.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "qnn/core/error.hpp"

namespace qnn {

PauliString::PauliString(char pauli, unsigned qubit) {
  pauli = static_cast<char>(std::toupper(static_cast<unsigned char>(pauli)));
  if (pauli != 'I' && pauli != 'X' && pauli != 'Y' && pauli != 'Z') {
    throw ValueError(std::string("unknown Pauli '") + pauli + "' (expected I, X, Y or Z)");
  }
  if (qubit >= 64) throw ValueError("Pauli on qubit " + std::to_string(qubit) + ": qubits must be < 64");
  if (pauli != 'I') factors_[qubit] = pauli;
}

PauliString PauliString::operator*(const PauliString& other) const {
  PauliString r = *this;
  for (auto [q, p] : other.factors_) {
    if (r.factors_.count(q)) throw ValueError("Pauli string names qubit " + std::to_string(q) + " twice");
    r.factors_[q] = p;
  }
  return r;
}

PauliMasks PauliString::masks() const {
  PauliMasks m;
  for (auto [q, p] : factors_) {
    const index_t b = index_t{1} << q;
    if (p == 'X' || p == 'Y') m.x |= b;
    if (p == 'Z' || p == 'Y') m.z |= b;
  }
  return m;
}

unsigned PauliString::min_qubits() const { return factors_.empty() ? 0 : factors_.rbegin()->first + 1; }

std::string PauliString::to_string() const {
  if (factors_.empty()) return "I";
  std::string s;
  for (auto [q, p] : factors_) {
    if (!s.empty()) s += ' ';
    s += p;
    s += std::to_string(q);
  }
  return s;
}

PauliSum& PauliSum::add(double coeff, const PauliString& p) {
  terms_.push_back({coeff, p});
  return *this;
}

PauliSum operator+(const PauliSum& a, const PauliSum& b) {
  PauliSum r = a;
  r.terms_.insert(r.terms_.end(), b.terms_.begin(), b.terms_.end());
  return r;
}

PauliSum PauliSum::operator*(const PauliString& p) const {
  PauliSum r = *this;
  for (auto& t : r.terms_) t.string = t.string * p;
  return r;
}

PauliSum PauliSum::operator*(double s) const {
  PauliSum r = *this;
  for (auto& t : r.terms_) t.coeff *= s;
  return r;
}

unsigned PauliSum::min_qubits() const {
  unsigned n = 0;
  for (const auto& t : terms_) n = std::max(n, t.string.min_qubits());
  return n;
}

std::string PauliSum::to_string() const {
  std::ostringstream os;
  os.precision(17);
  bool first = true;
  for (const auto& t : terms_) {
    double c = t.coeff;
    if (!first) {
      os << (c < 0 ? " - " : " + ");
      c = std::abs(c);
    }
    if (c != 1.0 || t.string.factors().empty()) os << c << (t.string.factors().empty() ? "" : " ");
    if (!t.string.factors().empty()) os << t.string.to_string();
    first = false;
  }
  return first ? "0" : os.str();
}

PauliSum parse_pauli_sum(std::string_view text) { return parse_pauli_sum(text, 64); }

PauliSum parse_pauli_sum(std::string_view text, unsigned num_qubits) {
  // sum := ['+'|'-'] term (('+'|'-') term)* ; term := [number ['*']] factor* ; factor := [IXYZ] digits ['*']
  PauliSum sum;
  std::size_t i = 0;
  auto fail = [&](const std::string& what) { throw ParseError("observable", 1, i + 1, what); };
  auto skip = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip();
  if (i == text.size()) fail("empty observable");
  bool first = true;
  while (true) {
    skip();
    double sign = 1;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      sign = text[i] == '-' ? -1 : 1;
      ++i;
      skip();
    } else if (!first) {
      fail("expected '+' or '-' between terms");
    }
    first = false;
    double coeff = 1;
    bool has_coeff = false;
    if (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      const std::string rest(text.substr(i));
      char* end = nullptr;
      coeff = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("bad number");
      // 1e400 reads as inf, and inf · 0 as NaN in every expectation: refuse it here, naming the number.
      if (!std::isfinite(coeff)) fail("coefficient " + rest.substr(0, std::size_t(end - rest.c_str())) + " is not finite");
      i += static_cast<std::size_t>(end - rest.c_str());
      has_coeff = true;
      skip();
      if (i < text.size() && text[i] == '*') {
        ++i;
        skip();
      }
    }
    PauliString p;
    bool any = false;
    while (i < text.size()) {
      const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
      if (c != 'I' && c != 'X' && c != 'Y' && c != 'Z') break;
      const std::size_t at = i;
      ++i;
      if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
        i = at;
        fail(std::string("expected a qubit index after '") + text[at] + "'");
      }
      const std::size_t digits = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      const std::string_view index = text.substr(digits, i - digits);
      unsigned long q = 0;
      for (const char d : index) q = std::min(q * 10 + static_cast<unsigned long>(d - '0'), 1000000UL);  // saturates
      if (q >= std::min(num_qubits, 64U)) {
        i = at;
        if (num_qubits < 64) {
          fail("qubit " + std::string(index) + " is out of range: the circuit has " + std::to_string(num_qubits) +
               (num_qubits == 1 ? " qubit" : " qubits"));
        }
        fail("qubit index " + std::string(index) + " too large (Pauli strings act on qubits < 64)");
      }
      try {
        p = p * PauliString(c, static_cast<unsigned>(q));
      } catch (const ValueError& e) {
        i = at;
        fail(e.what());
      }
      any = true;
      skip();
      if (i < text.size() && text[i] == '*') {
        ++i;
        skip();
      }
    }
    if (!any && !has_coeff) fail(i < text.size() ? std::string("unexpected '") + text[i] + "'" : "expected a term");
    sum.add(sign * coeff, p);
    skip();
    if (i == text.size()) break;
  }
  return sum;
}

}  // namespace qnn
