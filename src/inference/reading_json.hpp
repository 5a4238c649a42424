// A Reading (evaluation.hpp) as JSON, the same fields wherever digitnet answers in JSON: the
// CLI's `predict --json` and the server's /api/predict.
#pragma once

#include <nlohmann/json.hpp>

#include "digitnet/inference/evaluation.hpp"

namespace digitnet {

// {"digit", "probabilities", "outputs", "confident", "confidence", "second", "calibrated"
// [, "none"]}:
// confident is the "not sure" test (Reading::confident) at `min_confidence`.
inline nlohmann::ordered_json reading_json(const Reading& r, double min_confidence) {
  nlohmann::ordered_json j;
  j["digit"] = r.digit;
  j["probabilities"] = r.probabilities;
  j["outputs"] = r.outputs;
  j["confident"] = r.confident(min_confidence);
  j["confidence"] = r.confidence();
  j["second"] = r.second;
  j["calibrated"] = r.calibrated;
  if (r.none > 0) j["none"] = r.none;
  return j;
}

}  // namespace digitnet
