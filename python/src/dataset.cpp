// Data sets: the bundled ones by name, or any NumPy (features, labels) pair; seeded stratified splits and the
// transforms a trainer fits on the training part (standardiser, min-max scaling, PCA).
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/io/builtin_datasets.hpp"
#include "qnn/ml/dataset.hpp"

namespace qnn::python {

namespace {

Dataset make_dataset(const py::object& features, const py::object& labels, std::vector<std::string> class_names,
                     std::vector<std::string> feature_names, std::string name) {
  const RealArray x = as_real_array(features, "features", 2);
  const std::vector<std::int64_t> y = as_int_vector(labels, "labels");
  const auto n = static_cast<std::size_t>(x.shape(0));
  const auto f = static_cast<std::size_t>(x.shape(1));
  if (y.size() != n) {
    throw py::value_error("labels has " + std::to_string(y.size()) + " entries but features has " +
                          std::to_string(n) + " rows");
  }
  require_finite(span_of(x), "features");
  std::int64_t max_label = -1;
  for (const std::int64_t l : y) {
    if (l < 0) throw py::value_error("labels must be >= 0, got " + std::to_string(l));
    max_label = std::max(max_label, l);
  }
  if (class_names.empty()) {
    for (std::int64_t c = 0; c <= max_label; ++c) class_names.push_back(std::to_string(c));
  } else if (max_label >= static_cast<std::int64_t>(class_names.size())) {
    throw py::value_error("label " + std::to_string(max_label) + " out of range for " +
                          std::to_string(class_names.size()) + " class names");
  }
  if (feature_names.empty()) {
    for (std::size_t j = 0; j < f; ++j) feature_names.push_back("x" + std::to_string(j));
  } else if (feature_names.size() != f) {
    throw py::value_error("feature_names has " + std::to_string(feature_names.size()) + " names for " +
                          std::to_string(f) + " features");
  }
  Dataset d;
  d.name = std::move(name);
  d.feature_names = std::move(feature_names);
  d.class_names = std::move(class_names);
  d.features = rows_of(x);
  d.labels.assign(y.begin(), y.end());
  return d;
}

py::array_t<double> features_of(const Dataset& d) {
  const std::size_t n = d.num_samples(), f = d.num_features();
  std::vector<double> flat;
  flat.reserve(n * f);
  for (const auto& row : d.features) flat.insert(flat.end(), row.begin(), row.end());
  return to_numpy(std::move(flat), {static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(f)});
}

}  // namespace


void bind_dataset(py::module_& m) {
  py::class_<Dataset>(m, "Dataset", R"doc(A labelled data set: features (n x f) and integer labels 0 ... classes-1.

``qnn.Dataset(features, labels, class_names=None)`` from NumPy, or ``qnn.load_dataset("iris")``. The features and
labels properties return NumPy copies (qnn keeps its rows in its own layout).)doc")
      .def(py::init(&make_dataset), py::arg("features"), py::arg("labels"),
           py::arg("class_names") = std::vector<std::string>{}, py::arg("feature_names") = std::vector<std::string>{},
           py::arg("name") = "data")
      .def_readonly("name", &Dataset::name)
      .def_readonly("class_names", &Dataset::class_names)
      .def_readonly("feature_names", &Dataset::feature_names)
      .def_property_readonly("features", &features_of)
      .def_property_readonly("labels",
                             [](const Dataset& d) {
                               return to_numpy(std::vector<std::int64_t>(d.labels.begin(), d.labels.end()));
                             })
      .def_property_readonly("num_samples", &Dataset::num_samples)
      .def_property_readonly("num_features", &Dataset::num_features)
      .def_property_readonly("num_classes", &Dataset::num_classes)
      .def("__len__", &Dataset::num_samples)
      .def(
          "subset",
          [](const Dataset& d, const py::object& indices) {
            std::vector<std::size_t> idx;
            for (const std::int64_t i : as_int_vector(indices, "indices")) {
              if (i < 0 || static_cast<std::size_t>(i) >= d.num_samples()) {
                throw py::value_error("index " + std::to_string(i) + " out of range for " +
                                      std::to_string(d.num_samples()) + " samples");
              }
              idx.push_back(static_cast<std::size_t>(i));
            }
            return d.subset(idx);
          },
          py::arg("indices"))
      .def("__repr__", [](const Dataset& d) {
        return "Dataset('" + d.name + "', " + std::to_string(d.num_samples()) + " samples, " +
               std::to_string(d.num_features()) + " features, " + std::to_string(d.num_classes()) + " classes)";
      });

  m.def("load_dataset", &load_dataset, py::arg("spec"),
        "A bundled (iris, wine, breast_cancer, digits) or generated (moons, circles, xor, spirals) data set, or a CSV "
        "file, with optional ':classes=LIST' and ':pool=F' suffixes, as the CLI's --data.");
  m.def("builtin_dataset_names", &builtin_dataset_names);
  m.def(
      "train_test_split",
      [](const Dataset& d, double test_fraction, std::int64_t seed) {
        if (!(test_fraction >= 0 && test_fraction < 1)) {
          throw py::value_error("test_fraction must be in [0, 1), got " + std::to_string(test_fraction));
        }
        TrainTestSplit s = train_test_split(d, test_fraction, non_negative64(seed, "seed"));
        return py::make_tuple(std::move(s.train), std::move(s.test));
      },
      py::arg("data"), py::arg("test_fraction") = 0.2, py::arg("seed") = 7,
      "Seeded stratified split -> (train, test); the same split as `qnn train --seed`.");
  m.def(
      "select_classes", [](const Dataset& d, const std::string& spec) { return select_classes(d, spec); },
      py::arg("data"), py::arg("classes"), "Keep the listed classes ('0,1', '0-3' or names), relabelled 0 ... k-1.");

  py::class_<Standardizer>(m, "Standardizer", "x <- (x - mean) / std per feature, fitted on training data.")
      .def_static("fit", &Standardizer::fit, py::arg("data"))
      .def_property_readonly("mean", [](const Standardizer& s) { return to_numpy(std::vector<double>(s.mean)); })
      .def_property_readonly("scale", [](const Standardizer& s) { return to_numpy(std::vector<double>(s.scale)); })
      .def("transform", [](const Standardizer& s, Dataset d) {
        s.transform_in_place(d);
        return d;
      }, py::arg("data"), "A standardised copy of the data set.");
  py::class_<MinMaxScaler>(m, "MinMaxScaler", "Min-max scaling of each feature to [lo, hi] (default [0, pi]).")
      .def_static("fit", &MinMaxScaler::fit, py::arg("data"), py::arg("lo") = 0.0, py::arg("hi") = 3.141592653589793)
      .def("transform", [](const MinMaxScaler& s, Dataset d) {
        s.transform_in_place(d);
        return d;
      }, py::arg("data"));
  py::class_<Pca>(m, "Pca", "Principal components fitted on training data.")
      .def_static("fit", &Pca::fit, py::arg("data"), py::arg("k"))
      .def_property_readonly("explained_variance_ratio",
                             [](const Pca& p) { return to_numpy(std::vector<double>(p.explained_variance_ratio)); })
      .def("transform", [](const Pca& p, Dataset d) {
        p.transform_in_place(d);
        return d;
      }, py::arg("data"));
}

}  // namespace qnn::python
