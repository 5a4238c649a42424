// network2.py's JSON model format, so a network moves both ways between digitnet and the book's
// Python program:
//   {"sizes": [784, 30, 10],
//    "weights": [[[w_jk, ...], ...], ...],   one n_out x n_in nested list per layer
//    "biases": [[[b_j], ...], ...],          one n_out x 1 nested list per layer
//    "cost": "CrossEntropyCost"}             or "QuadraticCost"
// network2.py's networks are all sigmoid, so only those can be written; numbers are written as
// the shortest decimal that reads back to the same float, so a round trip is exact.
#pragma once

#include <filesystem>
#include <string>

#include "digitnet/network/network.hpp"

namespace digitnet {

// Why network2.py's JSON format cannot hold a network of `arch`, or "" when it can: it holds
// dense sigmoid layers with the quadratic or cross-entropy cost only.
std::string network2_json_problem(const Architecture& arch);
// The file's text for `net`. Throws digitnet::Error naming `path` when the format cannot hold
// the network (network2_json_problem).
std::string network2_json(const Network& net, const std::filesystem::path& path);
// Parses the text of a network2.py JSON file. `path` names the file in error messages, which say
// where the problem is (byte offset for syntax, the JSON element for structure).
Network parse_network2_json(const std::string& text, const std::filesystem::path& path);

}  // namespace digitnet
