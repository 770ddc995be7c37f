#include "qnn/qec/clifford_circuit.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "qnn/core/error.hpp"

namespace qnn::qec {

namespace {

constexpr std::array<std::string_view, 20> kNames = {
    "H",       "S",       "S_DAG",       "X",           "Y",        "Z",        "CX",
    "CZ",      "SWAP",    "M",           "MX",          "R",        "RX",       "X_ERROR",
    "Z_ERROR", "DEPOLARIZE1", "DEPOLARIZE2", "DETECTOR", "OBSERVABLE_INCLUDE", "TICK"};

bool uses_record(OpCode c) { return c == OpCode::DETECTOR || c == OpCode::OBSERVABLE_INCLUDE; }

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Shortest form that reads back to the same double.
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

std::string_view opcode_name(OpCode code) { return kNames[static_cast<std::size_t>(code)]; }

bool is_two_qubit(OpCode c) {
  return c == OpCode::CX || c == OpCode::CZ || c == OpCode::SWAP || c == OpCode::DEPOLARIZE2;
}
bool is_noise(OpCode c) {
  return c == OpCode::X_ERROR || c == OpCode::Z_ERROR || c == OpCode::DEPOLARIZE1 || c == OpCode::DEPOLARIZE2;
}
bool is_measurement(OpCode c) { return c == OpCode::M || c == OpCode::MX; }

CliffordCircuit& CliffordCircuit::append(OpCode code, std::initializer_list<std::uint32_t> targets,
                                         std::vector<double> args) {
  return append(code, std::vector<std::uint32_t>(targets), std::move(args));
}

CliffordCircuit& CliffordCircuit::append(OpCode code, std::vector<std::uint32_t> targets, std::vector<double> args) {
  const std::string name(opcode_name(code));
  if (is_noise(code)) {
    if (args.size() != 1) throw ValueError(name + " takes one probability, got " + std::to_string(args.size()));
    if (!(args[0] >= 0.0 && args[0] <= 1.0))
      throw ValueError(name + " probability " + format_double(args[0]) + " is outside [0, 1]");
  } else if (code == OpCode::OBSERVABLE_INCLUDE) {
    if (args.size() != 1 || !(args[0] >= 0 && args[0] < 64) || args[0] != std::floor(args[0]))
      throw ValueError("OBSERVABLE_INCLUDE takes one observable index in [0, 63]");
  } else if (code != OpCode::DETECTOR && !args.empty()) {
    throw ValueError(name + " takes no arguments");
  }
  if (is_two_qubit(code)) {
    if (targets.size() % 2 != 0)
      throw ValueError(name + " needs an even number of targets (pairs), got " + std::to_string(targets.size()));
    for (std::size_t i = 0; i < targets.size(); i += 2)
      if (targets[i] == targets[i + 1])
        throw ValueError(name + " pair acts twice on qubit " + std::to_string(targets[i]));
  }
  if (uses_record(code)) {
    for (std::uint32_t k : targets)
      if (k == 0 || k > num_measurements_)
        throw ValueError(name + " rec[-" + std::to_string(k) + "] is outside the " +
                         std::to_string(num_measurements_) + " measurements so far (allowed rec[-1] .. rec[-" +
                         std::to_string(num_measurements_) + "])");
    if (code == OpCode::DETECTOR) ++num_detectors_;
    if (code == OpCode::OBSERVABLE_INCLUDE)
      num_observables_ = std::max(num_observables_, static_cast<std::uint32_t>(args[0]) + 1);
  } else if (code != OpCode::TICK) {
    for (std::uint32_t q : targets) num_qubits_ = std::max(num_qubits_, q + 1);
    if (is_measurement(code)) num_measurements_ += targets.size();
  }
  ops_.push_back({code, std::move(args), std::move(targets)});
  return *this;
}

CliffordCircuit& CliffordCircuit::detector(const std::vector<std::uint64_t>& measurements, std::vector<double> coords) {
  std::vector<std::uint32_t> lookback;
  for (std::uint64_t m : measurements) {
    if (m >= num_measurements_)
      throw ValueError("detector names measurement " + std::to_string(m) + " but only " +
                       std::to_string(num_measurements_) + " have been made");
    lookback.push_back(static_cast<std::uint32_t>(num_measurements_ - m));
  }
  return append(OpCode::DETECTOR, std::move(lookback), std::move(coords));
}

CliffordCircuit& CliffordCircuit::observable(std::uint32_t index, const std::vector<std::uint64_t>& measurements) {
  std::vector<std::uint32_t> lookback;
  for (std::uint64_t m : measurements) {
    if (m >= num_measurements_)
      throw ValueError("observable names measurement " + std::to_string(m) + " but only " +
                       std::to_string(num_measurements_) + " have been made");
    lookback.push_back(static_cast<std::uint32_t>(num_measurements_ - m));
  }
  return append(OpCode::OBSERVABLE_INCLUDE, std::move(lookback), {static_cast<double>(index)});
}

std::vector<std::array<double, 3>> CliffordCircuit::detector_coordinates() const {
  std::vector<std::array<double, 3>> out;
  for (const Instruction& op : ops_) {
    if (op.code != OpCode::DETECTOR) continue;
    std::array<double, 3> c{0, 0, 0};
    for (std::size_t i = 0; i < std::min<std::size_t>(3, op.args.size()); ++i) c[i] = op.args[i];
    out.push_back(c);
  }
  return out;
}

CliffordCircuit CliffordCircuit::without_noise() const {
  CliffordCircuit c;
  for (const Instruction& op : ops_)
    if (!is_noise(op.code)) c.append(op.code, op.targets, op.args);
  c.num_qubits_ = std::max(c.num_qubits_, num_qubits_);  // a qubit touched only by noise still exists
  return c;
}

std::string CliffordCircuit::to_text() const {
  std::string s;
  for (const Instruction& op : ops_) {
    s += opcode_name(op.code);
    if (!op.args.empty()) {
      s += '(';
      for (std::size_t i = 0; i < op.args.size(); ++i) s += (i ? ", " : "") + format_double(op.args[i]);
      s += ')';
    }
    for (std::uint32_t t : op.targets) s += uses_record(op.code) ? " rec[-" + std::to_string(t) + "]" : " " + std::to_string(t);
    s += '\n';
  }
  return s;
}

CliffordCircuit CliffordCircuit::parse(std::string_view text, const std::string& file) {
  CliffordCircuit c;
  std::size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::size_t i = 0;
    auto skip_space = [&] {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    };
    auto fail = [&](std::size_t col, const std::string& what) -> ParseError { return {file, line_no, col + 1, what}; };
    skip_space();
    if (i >= line.size()) {
      if (end >= text.size()) break;
      continue;
    }
    const std::size_t name_col = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
    const std::string name(line.substr(name_col, i - name_col));
    const auto it = std::find(kNames.begin(), kNames.end(), name);
    if (name.empty() || it == kNames.end())
      throw fail(name_col, "unknown instruction '" + (name.empty() ? std::string(1, line[name_col]) : name) + "'");
    const auto code = static_cast<OpCode>(it - kNames.begin());
    auto parse_number = [&](std::size_t col, std::string_view tok, double& v) {
      const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (r.ec != std::errc() || r.ptr != tok.data() + tok.size())
        throw fail(col, "expected a number, got '" + std::string(tok) + "'");
    };
    std::vector<double> args;
    if (i < line.size() && line[i] == '(') {
      const std::size_t close = line.find(')', i);
      if (close == std::string_view::npos) throw fail(i, "missing ')' after the arguments of " + name);
      std::size_t a = i + 1;
      while (a <= close) {
        std::size_t comma = std::min(line.find(',', a), close);
        std::size_t b = a, e = comma;
        while (b < e && std::isspace(static_cast<unsigned char>(line[b]))) ++b;
        while (e > b && std::isspace(static_cast<unsigned char>(line[e - 1]))) --e;
        if (b == e && !(args.empty() && comma == close)) throw fail(b, "empty argument");
        if (b < e) {
          double v = 0;
          parse_number(b, line.substr(b, e - b), v);
          args.push_back(v);
        }
        a = comma + 1;
      }
      i = close + 1;
    }
    std::vector<std::uint32_t> targets;
    const std::size_t targets_col = i;
    while (true) {
      skip_space();
      if (i >= line.size()) break;
      const std::size_t tcol = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      std::string_view tok = line.substr(tcol, i - tcol);
      const bool rec = tok.starts_with("rec[-") && tok.ends_with("]");
      if (uses_record(code) != rec)
        throw fail(tcol, uses_record(code) ? "expected a measurement record target rec[-k], got '" + std::string(tok) + "'"
                                           : "expected a qubit index, got '" + std::string(tok) + "'");
      if (rec) tok = tok.substr(5, tok.size() - 6);
      std::uint32_t v = 0;
      const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (r.ec != std::errc() || r.ptr != tok.data() + tok.size() || tok.empty())
        throw fail(tcol, "malformed target '" + std::string(line.substr(tcol, i - tcol)) + "'");
      targets.push_back(v);
    }
    try {
      c.append(code, std::move(targets), std::move(args));
    } catch (const ValueError& e) {
      throw fail(targets_col < line.size() ? targets_col : name_col, e.what());
    }
    if (end >= text.size()) break;
  }
  return c;
}

}  // namespace qnn::qec
