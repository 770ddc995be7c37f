#include "qnn/diff/finite_difference.hpp"

#include <vector>

#include "qnn/exec/simulate.hpp"

namespace qnn {

Gradient finite_difference_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                                    std::span<const double> x, double h) {
  std::vector<double> th(theta.begin(), theta.end());
  std::vector<double> xs(x.begin(), x.end());
  Gradient g;
  g.value = expval<double>(c, obs, th, xs);
  auto partial = [&](std::vector<double>& v, std::size_t i) {
    const double v0 = v[i];
    v[i] = v0 + h;
    const double fp = expval<double>(c, obs, th, xs);
    v[i] = v0 - h;
    const double fm = expval<double>(c, obs, th, xs);
    v[i] = v0;
    return (fp - fm) / (2 * h);
  };
  g.theta.resize(th.size());
  for (std::size_t i = 0; i < th.size(); ++i) g.theta[i] = partial(th, i);
  g.x.resize(xs.size());
  for (std::size_t j = 0; j < xs.size(); ++j) g.x[j] = partial(xs, j);
  return g;
}

}  // namespace qnn
