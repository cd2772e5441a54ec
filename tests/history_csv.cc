#include "tests/history_csv.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nabla::testing {

std::vector<double> history_column(const std::string& path, const std::string& name) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("history_column: cannot open " + path);
  std::string header;
  std::getline(file, header);
  std::vector<std::string> columns;
  std::stringstream header_stream(header);
  for (std::string column; std::getline(header_stream, column, ',');) columns.push_back(column);
  const auto found = std::find(columns.begin(), columns.end(), name);
  if (found == columns.end()) throw std::runtime_error("history_column: no column '" + name + "' in " + path);
  const auto index = found - columns.begin();
  std::vector<double> values;
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    std::stringstream row(line);
    std::string cell;
    for (long i = 0; i <= index; ++i) std::getline(row, cell, ',');
    values.push_back(std::stod(cell));
  }
  return values;
}

}  // namespace nabla::testing
