#include "qnn/noise/noise_model.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

bool is_zero(const ReadoutError& e) { return e.is_zero(); }

void check_readout(const ReadoutError& e) {
  for (const auto& [name, v] : {std::pair{"p1_given_0", e.p1_given_0}, std::pair{"p0_given_1", e.p0_given_1}})
    if (!(v >= 0 && v <= 1)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      throw ValueError(std::string("readout error: ") + name + " = " + buf + " is outside [0, 1]");
    }
}

bool contains(const std::vector<unsigned>& v, unsigned q) { return std::find(v.begin(), v.end(), q) != v.end(); }

// The gate's qubits, controls first (built-in controls, targets, then extra controls moved to the front).
std::vector<unsigned> gate_qubits(const Operation& op) {
  std::vector<unsigned> q = op.controls;
  q.insert(q.end(), op.qubits.begin(), op.qubits.end());
  return q;
}

void append_gate_noise(const NoiseModel& model, const Operation& op, std::vector<NoisyOperation>& out) {
  const std::vector<unsigned> qubits = gate_qubits(op);
  for (const GateNoiseRule& rule : model.gate_rules()) {
    const GateSelector& s = rule.selector;
    if (!s.gates.empty() && std::find(s.gates.begin(), s.gates.end(), op.kind) == s.gates.end()) continue;
    if (s.gate_qubits != 0 && s.gate_qubits != qubits.size()) continue;
    const unsigned k = rule.channel->num_qubits();
    if (k == 1) {
      for (unsigned q : qubits)
        if (s.qubits.empty() || contains(s.qubits, q)) out.push_back({NoisyOperation::kChannel, rule.channel, {q}});
      continue;
    }
    if (k != qubits.size()) continue;
    if (!s.qubits.empty() && !std::all_of(qubits.begin(), qubits.end(), [&](unsigned q) { return contains(s.qubits, q); })) {
      continue;
    }
    out.push_back({NoisyOperation::kChannel, rule.channel, qubits});
  }
}

}  // namespace

NoiseModel& NoiseModel::add_gate_noise(Channel channel, GateSelector selector) {
  if (selector.gate_qubits != 0 && channel.num_qubits() > 1 && channel.num_qubits() != selector.gate_qubits) {
    throw ValueError("a " + std::to_string(channel.num_qubits()) + "-qubit channel (" + channel.name() +
                     ") cannot follow gates on " + std::to_string(selector.gate_qubits) + " qubits");
  }
  rules_.push_back({std::move(selector), std::make_shared<const Channel>(std::move(channel))});
  return *this;
}

NoiseModel& NoiseModel::set_idle_noise(Channel channel) {
  if (channel.num_qubits() != 1) {
    throw ValueError("idle noise must be a 1-qubit channel; " + channel.name() + " acts on " +
                     std::to_string(channel.num_qubits()));
  }
  idle_ = std::make_shared<const Channel>(std::move(channel));
  return *this;
}

NoiseModel& NoiseModel::set_readout_error(ReadoutError e) {
  check_readout(e);
  readout_all_ = e;
  return *this;
}

NoiseModel& NoiseModel::set_readout_error(unsigned qubit, ReadoutError e) {
  check_readout(e);
  if (readout_.size() <= qubit) readout_.resize(qubit + 1);
  readout_[qubit] = e;
  return *this;
}

ReadoutError NoiseModel::readout_error(unsigned qubit) const {
  if (qubit < readout_.size() && readout_[qubit]) return *readout_[qubit];
  return readout_all_;
}

bool NoiseModel::has_readout_error() const {
  if (!is_zero(readout_all_)) return true;
  return std::any_of(readout_.begin(), readout_.end(), [](const auto& e) { return e && !is_zero(*e); });
}

std::string NoiseModel::description() const {
  std::string s;
  for (const GateNoiseRule& r : rules_) {
    s += "after ";
    if (r.selector.gates.empty()) {
      s += r.selector.gate_qubits ? std::to_string(r.selector.gate_qubits) + "-qubit gates" : "every gate";
    } else {
      for (std::size_t i = 0; i < r.selector.gates.size(); ++i) {
        s += (i ? "," : "") + std::string(gate_info(r.selector.gates[i]).name);
      }
    }
    if (!r.selector.qubits.empty()) {
      s += " on qubits";
      for (unsigned q : r.selector.qubits) s += " " + std::to_string(q);
    }
    s += ": " + r.channel->description() + "\n";
  }
  if (idle_) s += "idle (each moment): " + idle_->description() + "\n";
  if (!is_zero(readout_all_)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "readout: p(1|0)=%.6g p(0|1)=%.6g\n", readout_all_.p1_given_0, readout_all_.p0_given_1);
    s += buf;
  }
  for (std::size_t q = 0; q < readout_.size(); ++q)
    if (readout_[q]) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "readout qubit %zu: p(1|0)=%.6g p(0|1)=%.6g\n", q, readout_[q]->p1_given_0,
                    readout_[q]->p0_given_1);
      s += buf;
    }
  return s.empty() ? "noiseless\n" : s;
}

std::vector<std::size_t> angle_offsets(const Circuit& c) {
  std::vector<std::size_t> off(c.size() + 1, 0);
  for (std::size_t k = 0; k < c.size(); ++k) off[k + 1] = off[k] + c.ops()[k].params.size();
  return off;
}

std::vector<NoisyOperation> noisy_operations(const Circuit& c, const NoiseModel& model) {
  std::vector<NoisyOperation> out;
  out.reserve(c.size() * (1 + model.gate_rules().size()));
  if (!model.idle_noise()) {
    for (std::size_t k = 0; k < c.size(); ++k) {
      out.push_back({k, nullptr, {}});
      append_gate_noise(model, c.ops()[k], out);
    }
    return out;
  }
  // ASAP moments: moment(g) = 1 + max over g's qubits of the moment of the last gate there.
  std::vector<std::size_t> last(c.num_qubits(), 0), moment(c.size());
  std::size_t moments = 0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    std::size_t m = 0;
    for (unsigned q : gate_qubits(c.ops()[k])) m = std::max(m, last[q]);
    moment[k] = m;
    for (unsigned q : gate_qubits(c.ops()[k])) last[q] = m + 1;
    moments = std::max(moments, m + 1);
  }
  std::vector<std::vector<std::size_t>> by_moment(moments);
  for (std::size_t k = 0; k < c.size(); ++k) by_moment[moment[k]].push_back(k);
  for (const auto& gates : by_moment) {
    std::vector<bool> busy(c.num_qubits(), false);
    for (std::size_t k : gates) {
      out.push_back({k, nullptr, {}});
      append_gate_noise(model, c.ops()[k], out);
      for (unsigned q : gate_qubits(c.ops()[k])) busy[q] = true;
    }
    for (unsigned q = 0; q < c.num_qubits(); ++q)
      if (!busy[q]) out.push_back({NoisyOperation::kChannel, model.idle_noise(), {q}});
  }
  return out;
}

}  // namespace qnn
