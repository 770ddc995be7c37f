#include "qnn/ml/optimizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {
void check_rate(double lr) {
  if (!(lr > 0) || !std::isfinite(lr)) throw ValueError("learning rate must be a positive number, got " + std::to_string(lr));
}
}  // namespace

Optimizer::Optimizer(double learning_rate) : lr_(learning_rate) { check_rate(learning_rate); }

void Optimizer::set_learning_rate(double lr) {
  check_rate(lr);
  lr_ = lr;
}

void Optimizer::begin_step(std::span<double> params, std::span<const double> grad, std::size_t buffers) {
  if (params.size() != grad.size()) throw ValueError("gradient and parameters differ in size");
  if (buf_.empty()) buf_.assign(buffers, std::vector<double>(params.size(), 0.0));
  if (buf_[0].size() != params.size()) throw ValueError("parameter count changed between optimizer steps");
  ++t_;
}

std::vector<double> Optimizer::pack() const {
  // Step counts stay far below 2^53, so a double holds them exactly.
  std::vector<double> s{static_cast<double>(t_), static_cast<double>(buf_.empty() ? 0 : buf_[0].size())};
  for (const auto& b : buf_) s.insert(s.end(), b.begin(), b.end());
  return s;
}

void Optimizer::unpack(std::span<const double> s) {
  if (s.size() < 2) throw ValueError("optimizer state is truncated");
  const auto t = s[0], size = s[1];
  if (!(t >= 0) || !(size >= 0) || t != std::floor(t) || size != std::floor(size)) {
    throw ValueError("optimizer state is malformed");
  }
  const auto n = static_cast<std::size_t>(size);
  const std::size_t buffers = n == 0 ? 0 : (s.size() - 2) / n;
  if (n != 0 ? (s.size() - 2) % n != 0 : s.size() != 2) throw ValueError("optimizer state has the wrong size");
  t_ = static_cast<std::uint64_t>(t);
  buf_.assign(buffers, std::vector<double>(n));
  for (std::size_t b = 0; b < buffers; ++b)
    std::copy_n(s.begin() + static_cast<std::ptrdiff_t>(2 + b * n), n, buf_[b].begin());
}

Sgd::Sgd(double learning_rate, double momentum, bool nesterov)
    : Optimizer(learning_rate), momentum_(momentum), nesterov_(nesterov) {
  if (!(momentum >= 0 && momentum < 1)) throw ValueError("momentum must be in [0, 1), got " + std::to_string(momentum));
}

void Sgd::step(std::span<double> params, std::span<const double> grad) {
  begin_step(params, grad, 1);
  std::vector<double>& v = buf_[0];
  for (std::size_t i = 0; i < params.size(); ++i) {
    v[i] = momentum_ * v[i] + grad[i];
    params[i] -= lr_ * (nesterov_ ? grad[i] + momentum_ * v[i] : v[i]);
  }
}

Adam::Adam(double learning_rate, double beta1, double beta2, double eps, double weight_decay)
    : Optimizer(learning_rate), b1_(beta1), b2_(beta2), eps_(eps), weight_decay_(weight_decay) {
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw ValueError("Adam betas must be in [0, 1)");
  if (!(weight_decay >= 0) || !std::isfinite(weight_decay)) throw ValueError("weight decay must be ≥ 0");
}

void Adam::step(std::span<double> params, std::span<const double> grad) {
  begin_step(params, grad, 2);
  std::vector<double>& m = buf_[0];
  std::vector<double>& v = buf_[1];
  const double c1 = 1.0 - std::pow(b1_, double(t_)), c2 = 1.0 - std::pow(b2_, double(t_));
  for (std::size_t i = 0; i < params.size(); ++i) {
    m[i] = b1_ * m[i] + (1 - b1_) * grad[i];
    v[i] = b2_ * v[i] + (1 - b2_) * grad[i] * grad[i];
    if (weight_decay_ > 0) params[i] -= lr_ * weight_decay_ * params[i];
    params[i] -= lr_ * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps_);
  }
}

RmsProp::RmsProp(double learning_rate, double rho, double eps) : Optimizer(learning_rate), rho_(rho), eps_(eps) {
  if (!(rho >= 0 && rho < 1)) throw ValueError("RMSProp rho must be in [0, 1)");
}

void RmsProp::step(std::span<double> params, std::span<const double> grad) {
  begin_step(params, grad, 1);
  std::vector<double>& v = buf_[0];
  for (std::size_t i = 0; i < params.size(); ++i) {
    v[i] = rho_ * v[i] + (1 - rho_) * grad[i] * grad[i];
    params[i] -= lr_ * grad[i] / (std::sqrt(v[i]) + eps_);
  }
}

std::span<const std::string_view> optimizer_names() {
  static constexpr std::array<std::string_view, 6> kNames{"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"};
  return kNames;
}

std::unique_ptr<Optimizer> make_optimizer(std::string_view name, double lr) {
  if (name == "sgd") return std::make_unique<Sgd>(lr);
  if (name == "momentum") return std::make_unique<Sgd>(lr, 0.9);
  if (name == "nesterov") return std::make_unique<Sgd>(lr, 0.9, true);
  if (name == "adam") return std::make_unique<Adam>(lr);
  if (name == "adamw") return std::make_unique<Adam>(lr, 0.9, 0.999, 1e-8, 0.01);
  if (name == "rmsprop") return std::make_unique<RmsProp>(lr);
  std::string list;
  for (std::string_view n : optimizer_names()) list += (list.empty() ? "" : ", ") + std::string(n);
  throw ValueError("unknown optimizer '" + std::string(name) + "' (available: " + list + ")");
}

double LearningRateSchedule::rate(double base, unsigned epoch) const {
  switch (kind) {
    case Kind::Constant: return base;
    case Kind::Step: return base * std::pow(gamma, double(epoch / std::max(1U, step_size)));
    case Kind::Exponential: return base * std::pow(gamma, double(epoch));
    case Kind::Cosine: {
      const double t = std::min(1.0, double(epoch) / double(std::max(1U, epochs)));
      return min_rate + 0.5 * (base - min_rate) * (1 + std::cos(std::numbers::pi * t));
    }
  }
  return base;
}

LearningRateSchedule::Kind LearningRateSchedule::parse(std::string_view name) {
  if (name == "constant") return Kind::Constant;
  if (name == "step") return Kind::Step;
  if (name == "exponential") return Kind::Exponential;
  if (name == "cosine") return Kind::Cosine;
  throw ValueError("unknown learning-rate schedule '" + std::string(name) +
                   "' (available: constant, step, exponential, cosine)");
}

LbfgsResult lbfgs_minimize(const std::function<double(std::span<const double>, std::span<double>)>& f,
                           std::span<double> p, const LbfgsOptions& opt,
                           const std::function<void(unsigned, double)>& on_iteration) {
  if (opt.history == 0) throw ValueError("L-BFGS needs a history of at least 1");
  const std::size_t n = p.size();
  auto dot = [n](const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  };
  LbfgsResult r;
  std::vector<double> g(n), d(n), trial(n), g_trial(n);
  r.value = f(p, g);
  ++r.evaluations;
  if (!std::isfinite(r.value)) throw ValueError("L-BFGS: the objective is not finite at the starting point");
  struct Pair {
    std::vector<double> s, y;
    double rho;
  };
  std::deque<Pair> mem;
  for (r.iterations = 0; r.iterations < opt.max_iterations; ++r.iterations) {
    double gmax = 0;
    for (double v : g) gmax = std::max(gmax, std::abs(v));
    if (gmax < opt.gradient_tolerance) {
      r.converged = true;
      break;
    }
    // Two-loop recursion: d = −H g with H the inverse-Hessian estimate from the last `history` pairs.
    d = g;
    std::vector<double> alpha(mem.size());
    for (std::size_t k = mem.size(); k-- > 0;) {
      alpha[k] = mem[k].rho * dot(mem[k].s, d);
      for (std::size_t i = 0; i < n; ++i) d[i] -= alpha[k] * mem[k].y[i];
    }
    const double scale = mem.empty() ? opt.initial_step / std::max(1.0, std::sqrt(dot(g, g)))
                                     : dot(mem.back().s, mem.back().y) / dot(mem.back().y, mem.back().y);
    for (double& v : d) v *= scale;
    for (std::size_t k = 0; k < mem.size(); ++k) {
      const double beta = mem[k].rho * dot(mem[k].y, d);
      for (std::size_t i = 0; i < n; ++i) d[i] += (alpha[k] - beta) * mem[k].s[i];
    }
    for (double& v : d) v = -v;
    double slope = 0;
    for (std::size_t i = 0; i < n; ++i) slope += g[i] * d[i];
    if (!(slope < 0)) {  // not a descent direction (curvature lost): restart from steepest descent
      mem.clear();
      for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = -dot(g, g);
    }
    // Backtracking line search with the Armijo condition f(p + a d) ≤ f(p) + c a ∇f·d.
    double a = 1.0, f_trial = 0;
    bool accepted = false;
    for (int ls = 0; ls < 40; ++ls, a *= 0.5) {
      for (std::size_t i = 0; i < n; ++i) trial[i] = p[i] + a * d[i];
      f_trial = f(trial, g_trial);
      ++r.evaluations;
      if (std::isfinite(f_trial) && f_trial <= r.value + 1e-4 * a * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;  // no decrease along d within 2^-40: a minimum to working precision
    Pair pr{std::vector<double>(n), std::vector<double>(n), 0};
    for (std::size_t i = 0; i < n; ++i) {
      pr.s[i] = trial[i] - p[i];
      pr.y[i] = g_trial[i] - g[i];
    }
    const double sy = dot(pr.s, pr.y);
    if (sy > 1e-12 * std::sqrt(dot(pr.s, pr.s) * dot(pr.y, pr.y))) {
      pr.rho = 1.0 / sy;
      mem.push_back(std::move(pr));
      if (mem.size() > opt.history) mem.pop_front();
    }
    std::copy(trial.begin(), trial.end(), p.begin());
    g = g_trial;
    r.value = f_trial;
    if (on_iteration) on_iteration(r.iterations + 1, r.value);
  }
  return r;
}

}  // namespace qnn
