#ifndef NABLA_TESTS_HISTORY_CSV_H_
#define NABLA_TESTS_HISTORY_CSV_H_

// Reads the history CSV that examples::save_history writes.

#include <string>
#include <vector>

namespace nabla::testing {

// Column `name` of the history CSV at `path`, one value per epoch. Throws
// std::runtime_error when the file or the column is missing.
std::vector<double> history_column(const std::string& path, const std::string& name);

}  // namespace nabla::testing

#endif  // NABLA_TESTS_HISTORY_CSV_H_
