// One epoch's figures as a JSON object, in the metrics file's spelling (docs/metrics-format.md):
// the metrics file writes its lines with it and the checkpoint its history, so the two spell
// every field the same. Private to the library; defined in metrics_file.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include "digitnet/training/trainer.hpp"

namespace digitnet {

// The fields that were measured, in the documented order.
nlohmann::ordered_json epoch_json(const EpochResult& result);
// Back from epoch_json's object; also reads the older checkpoints' spelling of the test figures
// ("correct", "total"). Throws nlohmann::json::exception when a field is missing or of the wrong
// type.
EpochResult epoch_from_json(const nlohmann::json& j);

}  // namespace digitnet
