#include "qnn/io/circuit_drawing.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

using K = GateKind;

// Terminals count code points, not bytes: every symbol used here is one column wide.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string draw_number(double v) {
  if (v == 0) return "0";
  for (int den : {1, 2, 3, 4, 6, 8}) {
    const double r = v * den / std::numbers::pi;
    const double k = std::round(r);
    if (k == 0 || std::abs(k) > 16 || std::abs(r - k) > 1e-9) continue;
    std::string s = k < 0 ? "-" : "";
    if (std::abs(k) != 1) s += std::to_string(static_cast<long>(std::abs(k)));
    s += "π";
    if (den != 1) s += "/" + std::to_string(den);
    return s;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string gate_name(K base) {
  switch (base) {
    case K::Sdg: return "S†";
    case K::Tdg: return "T†";
    case K::SX: return "√X";
    case K::SXdg: return "√X†";
    case K::ISWAP: return "iSWAP";
    case K::Unitary: return "Unitary";
    default: {
      std::string s(gate_info(base).name);
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    }
  }
}

/// One drawn instruction: labels on some wires, optionally joined by a vertical line over [lo, hi].
struct Item {
  unsigned lo = 0, hi = 0;
  std::vector<std::pair<unsigned, std::string>> cells;
  bool line = false;
  bool barrier = false;

  [[nodiscard]] const std::string* cell(unsigned row) const {
    for (const auto& [r, s] : cells)
      if (r == row) return &s;
    return nullptr;
  }
};

class Drawing {
 public:
  Drawing(const qasm::Program& p, bool circuit_names) : p_(p) {
    wire_names_.resize(p.num_qubits);
    bit_names_.resize(p.num_clbits);
    for (unsigned q = 0; q < p.num_qubits; ++q)
      wire_names_[q] = circuit_names ? "q" + std::to_string(q) : "q[" + std::to_string(q) + "]";
    for (unsigned b = 0; b < p.num_clbits; ++b) bit_names_[b] = "c[" + std::to_string(b) + "]";
    for (const qasm::Register& r : p.qregs)
      for (unsigned i = 0; i < r.size && r.offset + i < p.num_qubits; ++i)
        wire_names_[r.offset + i] = r.name + "[" + std::to_string(i) + "]";
    for (const qasm::Register& r : p.cregs)
      for (unsigned i = 0; i < r.size && r.offset + i < p.num_clbits; ++i)
        bit_names_[r.offset + i] = r.name + "[" + std::to_string(i) + "]";
    format_.number = draw_number;
    format_.theta = [this, circuit_names](unsigned i) {
      return !circuit_names && i < p_.parameters.size() ? p_.parameters[i] : "θ" + std::to_string(i);
    };
    format_.input = [](unsigned j) { return "x" + std::to_string(j); };
  }

  std::string render(unsigned width) {
    for (const qasm::Instruction& ins : p_.body) place(item(ins), ins);
    return layout(width);
  }

 private:
  [[nodiscard]] std::string label(const Operation& op) const {
    std::string s = gate_name(base_kind(op.kind));
    if (!op.params.empty()) {
      s += "(";
      for (std::size_t i = 0; i < op.params.size(); ++i) s += (i ? "," : "") + op.params[i].to_string(format_);
      s += ")";
    }
    return s;
  }

  [[nodiscard]] std::string condition(const qasm::Condition& c) const {
    std::string reg;
    for (const qasm::Register& r : p_.cregs)
      if (r.offset == c.offset && r.size == c.size) reg = r.name;
    if (reg.empty() && p_.cregs.empty() && c.offset == 0 && c.size == p_.num_clbits) reg = "c";
    if (reg.empty() && c.size == 1 && c.offset < bit_names_.size()) reg = bit_names_[c.offset];
    if (reg.empty()) reg = "c[" + std::to_string(c.offset) + ".." + std::to_string(c.offset + c.size) + ")";
    return "[" + reg + "==" + std::to_string(c.value) + "]";
  }

  [[nodiscard]] Item item(const qasm::Instruction& ins) const {
    Item it;
    switch (ins.kind) {
      case qasm::InstructionKind::Gate: {
        const Operation& op = ins.op;
        const std::vector<unsigned> controls = op.all_controls();
        const std::span<const unsigned> targets = op.targets();
        const K base = base_kind(op.kind);
        for (unsigned c : controls) it.cells.emplace_back(c, "●");
        for (unsigned t : targets) {
          std::string s = !controls.empty() && base == K::X   ? "⊕"
                          : base == K::SWAP                    ? "×"
                          : !controls.empty() && base == K::Z ? "●"
                                                               : label(op);
          it.cells.emplace_back(t, std::move(s));
        }
        if (ins.condition && !targets.empty()) {
          for (auto& [r, s] : it.cells)
            if (r == targets[0]) s += condition(*ins.condition);
        }
        break;
      }
      case qasm::InstructionKind::Measure: {
        std::string s = ins.clbit == ins.qubit || ins.clbit >= bit_names_.size() ? "M" : "M→" + bit_names_[ins.clbit];
        if (ins.condition) s += condition(*ins.condition);
        it.cells.emplace_back(ins.qubit, std::move(s));
        break;
      }
      case qasm::InstructionKind::Reset:
        it.cells.emplace_back(ins.qubit, "|0⟩" + (ins.condition ? condition(*ins.condition) : std::string()));
        break;
      case qasm::InstructionKind::Barrier:
        it.barrier = true;
        for (unsigned q : ins.qubits) it.cells.emplace_back(q, "░");
        break;
    }
    if (it.cells.empty()) return it;
    it.lo = it.hi = it.cells.front().first;
    for (const auto& [r, s] : it.cells) {
      it.lo = std::min(it.lo, r);
      it.hi = std::max(it.hi, r);
    }
    it.line = !it.barrier && it.hi > it.lo;
    return it;
  }

  // Greedy packing: an item goes in the first column after everything already drawn on the wires it spans. A
  // condition must also stay after every measurement drawn before it, and a measurement after every condition.
  void place(Item it, const qasm::Instruction& ins) {
    if (it.cells.empty()) return;
    if (it.hi >= p_.num_qubits || (ins.kind == qasm::InstructionKind::Measure && ins.clbit >= p_.num_clbits)) {
      throw ValueError("cannot draw an instruction on qubit " + std::to_string(it.hi) + " or bit " +
                       std::to_string(ins.clbit) + " of a program with " + std::to_string(p_.num_qubits) +
                       " qubits and " + std::to_string(p_.num_clbits) + " bits");
    }
    next_free_.resize(p_.num_qubits, 0);
    std::size_t col = 0;
    for (unsigned r = it.lo; r <= it.hi; ++r) col = std::max(col, next_free_[r]);
    const bool measure = ins.kind == qasm::InstructionKind::Measure;
    if (ins.condition) col = std::max(col, after_measure_);
    if (measure) col = std::max(col, after_condition_);
    for (unsigned r = it.lo; r <= it.hi; ++r) next_free_[r] = col + 1;
    if (ins.condition) after_condition_ = std::max(after_condition_, col + 1);
    if (measure) after_measure_ = std::max(after_measure_, col + 1);
    if (columns_.size() <= col) columns_.resize(col + 1);
    columns_[col].push_back(items_.size());
    items_.push_back(std::move(it));
  }

  [[nodiscard]] std::string wire_cell(const std::vector<std::size_t>& column, std::size_t w, unsigned row) const {
    for (std::size_t i : column) {
      if (const std::string* s = items_[i].cell(row)) {
        const std::size_t left = (w - display_width(*s)) / 2;
        return repeat("─", left) + *s + repeat("─", w - display_width(*s) - left);
      }
    }
    for (std::size_t i : column) {
      if (items_[i].line && items_[i].lo < row && row < items_[i].hi) {
        return repeat("─", (w - 1) / 2) + "┼" + repeat("─", w - 1 - (w - 1) / 2);
      }
    }
    return repeat("─", w);
  }

  // The gap between wire `row` and wire `row + 1`.
  [[nodiscard]] std::string gap_cell(const std::vector<std::size_t>& column, std::size_t w, unsigned row) const {
    std::string mark;
    for (std::size_t i : column) {
      const Item& it = items_[i];
      if (it.line && it.lo <= row && row + 1 <= it.hi) mark = "│";
      if (it.barrier && it.cell(row) && it.cell(row + 1)) mark = "░";
    }
    if (mark.empty()) return std::string(w, ' ');
    return std::string((w - 1) / 2, ' ') + mark + std::string(w - 1 - (w - 1) / 2, ' ');
  }

  [[nodiscard]] std::string layout(unsigned width) const {
    const unsigned n = p_.num_qubits;
    std::size_t name_width = 0;
    for (const std::string& s : wire_names_) name_width = std::max(name_width, display_width(s));
    const std::size_t prefix = name_width + 2;  // "name: "
    std::vector<std::size_t> widths(columns_.size(), 1);
    for (std::size_t c = 0; c < columns_.size(); ++c)
      for (std::size_t i : columns_[c])
        for (const auto& [r, s] : items_[i].cells) widths[c] = std::max(widths[c], display_width(s));

    std::string out;
    std::size_t start = 0;
    do {
      // Each column costs its width plus one wire segment after it; the line starts with one segment too.
      std::size_t end = start, used = prefix + 1;
      while (end < columns_.size() && (end == start || used + widths[end] + 1 <= width)) used += widths[end++] + 1;
      if (start > 0) out += "\n";
      for (unsigned r = 0; r < n; ++r) {
        std::string line = wire_names_[r] + ":" + std::string(prefix - 1 - display_width(wire_names_[r]), ' ') + "─";
        for (std::size_t c = start; c < end; ++c) line += wire_cell(columns_[c], widths[c], r) + "─";
        out += line + "\n";
        if (r + 1 == n) break;
        std::string gap(prefix + 1, ' ');
        for (std::size_t c = start; c < end; ++c) gap += gap_cell(columns_[c], widths[c], r) + " ";
        gap.erase(gap.find_last_not_of(' ') + 1);
        out += gap + "\n";
      }
      start = end;
    } while (start < columns_.size());
    return out;
  }

  const qasm::Program& p_;
  std::vector<std::string> wire_names_, bit_names_;
  Expr::Format format_;
  std::vector<Item> items_;
  std::vector<std::vector<std::size_t>> columns_;
  std::vector<std::size_t> next_free_;
  std::size_t after_measure_ = 0, after_condition_ = 0;
};

}  // namespace

std::string draw(const qasm::Program& program, const DrawOptions& options) {
  return Drawing(program, false).render(options.width);
}

std::string draw(const Circuit& circuit, const DrawOptions& options) {
  qasm::Program p;
  p.num_qubits = circuit.num_qubits();
  for (const Operation& op : circuit.ops()) {
    qasm::Instruction ins;
    ins.op = op;
    p.body.push_back(std::move(ins));
  }
  return Drawing(p, true).render(options.width);
}

}  // namespace qnn
