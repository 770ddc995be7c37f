#pragma once
// First-order optimisers behind one interface, learning-rate schedules, and L-BFGS for full-batch training.
//
// Every optimiser exposes its whole internal state (moments, step count) as a flat vector, so a training checkpoint can
// save it and a resumed run continues bit for bit.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qnn {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// params ← params − update(grad); sizes must stay fixed across calls.
  virtual void step(std::span<double> params, std::span<const double> grad) = 0;
  /// "sgd", "adam", …
  [[nodiscard]] virtual std::string name() const = 0;
  /// Everything step() depends on besides the learning rate: for checkpoints.
  [[nodiscard]] virtual std::vector<double> state() const = 0;
  /// Restore state() of an optimiser of the same kind; throws ValueError on a size mismatch.
  virtual void set_state(std::span<const double> state) = 0;

  [[nodiscard]] double learning_rate() const { return lr_; }
  /// Throws ValueError unless lr is a positive finite number (schedules call this every epoch).
  void set_learning_rate(double lr);
  [[nodiscard]] std::uint64_t steps() const { return t_; }

 protected:
  explicit Optimizer(double learning_rate);
  // Shapes the moment buffers on the first step and checks later steps keep the size.
  void begin_step(std::span<double> params, std::span<const double> grad, std::size_t buffers);
  double lr_;
  std::uint64_t t_ = 0;
  std::vector<std::vector<double>> buf_;
  // state() / set_state() of t_ and buf_: [t, size, buf_0 …, buf_1 …].
  [[nodiscard]] std::vector<double> pack() const;
  void unpack(std::span<const double> state);
};

/// Stochastic gradient descent with optional (heavy-ball or Nesterov) momentum:
///   v ← μ v + g;  p ← p − η (g + μ v) if Nesterov, else p − η v.
class Sgd : public Optimizer {
 public:
  explicit Sgd(double learning_rate = 0.01, double momentum = 0.0, bool nesterov = false);
  void step(std::span<double> params, std::span<const double> grad) override;
  [[nodiscard]] std::string name() const override { return momentum_ > 0 ? "momentum" : "sgd"; }
  [[nodiscard]] std::vector<double> state() const override { return pack(); }
  void set_state(std::span<const double> s) override { unpack(s); }

 private:
  double momentum_;
  bool nesterov_;
};

/// Adam (Kingma & Ba 2015): per-parameter steps from bias-corrected first and second moments of the gradient.
/// With weight_decay > 0 it is AdamW (Loshchilov & Hutter 2019): p ← p − η λ p, decoupled from the moments.
class Adam : public Optimizer {
 public:
  explicit Adam(double learning_rate = 0.01, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
                double weight_decay = 0.0);
  void step(std::span<double> params, std::span<const double> grad) override;
  [[nodiscard]] std::string name() const override { return weight_decay_ > 0 ? "adamw" : "adam"; }
  [[nodiscard]] std::vector<double> state() const override { return pack(); }
  void set_state(std::span<const double> s) override { unpack(s); }

 private:
  double b1_, b2_, eps_, weight_decay_;
};

/// RMSProp (Tieleman & Hinton 2012): v ← ρ v + (1 − ρ) g²;  p ← p − η g / (√v + ε).
class RmsProp : public Optimizer {
 public:
  explicit RmsProp(double learning_rate = 0.01, double rho = 0.9, double eps = 1e-8);
  void step(std::span<double> params, std::span<const double> grad) override;
  [[nodiscard]] std::string name() const override { return "rmsprop"; }
  [[nodiscard]] std::vector<double> state() const override { return pack(); }
  void set_state(std::span<const double> s) override { unpack(s); }

 private:
  double rho_, eps_;
};

/// Names make_optimizer accepts: sgd, momentum (μ = 0.9), nesterov (μ = 0.9), adam, adamw (λ = 0.01), rmsprop.
std::span<const std::string_view> optimizer_names();
/// The optimiser `name` with the given learning rate; throws ValueError listing the names otherwise.
std::unique_ptr<Optimizer> make_optimizer(std::string_view name, double learning_rate);

/// Learning rate per epoch (0-based) from the base rate:
///   constant     η
///   step         η · γ^⌊epoch / step_size⌋
///   exponential  η · γ^epoch
///   cosine       η_min + ½ (η − η_min)(1 + cos(π · epoch / epochs))   (Loshchilov & Hutter 2017, no restarts)
struct LearningRateSchedule {
  enum class Kind : std::uint8_t { Constant, Step, Exponential, Cosine };
  Kind kind = Kind::Constant;
  unsigned step_size = 10;
  double gamma = 0.5;
  double min_rate = 0.0;
  unsigned epochs = 1;  // cosine: the epoch count the rate anneals over

  [[nodiscard]] double rate(double base, unsigned epoch) const;
  /// "constant", "step", "exponential", "cosine"; throws ValueError listing the names otherwise.
  static Kind parse(std::string_view name);
};

/// L-BFGS (Nocedal 1980) with a backtracking Armijo line search, for smooth full-batch objectives.
struct LbfgsOptions {
  unsigned max_iterations = 100;
  unsigned history = 10;
  double gradient_tolerance = 1e-6;  // stop when ‖∇f‖∞ falls below
  double initial_step = 1.0;
};
struct LbfgsResult {
  double value = 0;
  unsigned iterations = 0;
  unsigned evaluations = 0;
  bool converged = false;
};
/// Minimises f(p), where `f` returns the value and writes ∇f into its second argument; `on_iteration` (optional) sees
/// each accepted iterate.
LbfgsResult lbfgs_minimize(const std::function<double(std::span<const double>, std::span<double>)>& f,
                           std::span<double> params, const LbfgsOptions& options = {},
                           const std::function<void(unsigned, double)>& on_iteration = {});

}  // namespace qnn
