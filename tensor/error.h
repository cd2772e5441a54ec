#ifndef NABLA_TENSOR_ERROR_H_
#define NABLA_TENSOR_ERROR_H_

/// The one error type and check macro of nabla.
///
/// Every check on user input throws `nabla::Error` with a message that names
/// the operation and the shapes, dtypes or bytes involved:
///
///   NABLA_CHECK(a.dim(-1) == b.dim(-2), "matmul: inner dimensions differ: a ",
///               a.shape(), " vs b ", b.shape());

#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tensor/shape.h"

namespace nabla {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace internal {

template <typename Part>
void append_part(std::ostream& out, const Part& part) {
  out << part;
}

// Shapes and index lists print as "[2, 3]". Declared here rather than found
// through argument-dependent lookup, which searches only the namespaces of
// std::vector and absl::InlinedVector.
void append_part(std::ostream& out, const std::vector<std::int64_t>& values);
void append_part(std::ostream& out, const Shape& shape);

template <typename... Parts>
std::string concat_message(const Parts&... parts) {
  std::ostringstream out;
  (append_part(out, parts), ...);
  return out.str();
}

}  // namespace internal
}  // namespace nabla

/// Throws nabla::Error built from the message parts when `condition` is false.
#define NABLA_CHECK(condition, ...)                                        \
  do {                                                                     \
    if (!(condition)) {                                                    \
      throw ::nabla::Error(::nabla::internal::concat_message(__VA_ARGS__)); \
    }                                                                      \
  } while (false)

#endif  // NABLA_TENSOR_ERROR_H_
