#pragma once
// A training run on disk, written after every epoch: the model (as model.json holds it), the options the run was
// started with, and the trainer's state (weights, optimiser moments, shuffle stream and order, history). `qnn train
// --resume DIR` reads it and continues; the result is bit-identical to a run that was never interrupted. Doubles and
// the 64-bit generator state are written in round-trip form.
#include <filesystem>
#include <string>

#include "qnn/io/atomic_file.hpp"
#include "qnn/io/model_json.hpp"
#include "qnn/ml/trainer.hpp"

namespace qnn {

struct SavedCheckpoint {
  SavedModel model;
  TrainOptions options;
  TrainCheckpoint state;
  double validation_fraction = 0;  // of the training part, held out for early stopping
};

std::string checkpoint_to_json(const SavedCheckpoint& c);
/// ParseError (line, column) for malformed JSON; ValueError naming the field for a wrong or missing value.
SavedCheckpoint checkpoint_from_json(const std::string& text, const std::string& source);

/// Written atomically: a run killed while saving leaves the previous checkpoint intact (Durability as for
/// write_file_atomic; the trainer writes one per epoch with Durability::Process).
void save_checkpoint(const std::filesystem::path& path, const SavedCheckpoint& c,
                     Durability durability = Durability::PowerLoss);
SavedCheckpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace qnn
