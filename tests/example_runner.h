#ifndef NABLA_TESTS_EXAMPLE_RUNNER_H_
#define NABLA_TESTS_EXAMPLE_RUNNER_H_

// Runs an example binary from the test's runfiles and captures its output.

#include <string>

namespace nabla::testing {

struct ExampleRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// `target` is the example's package path, e.g. "examples/function_minimum";
// `arguments` are appended to the command line as they are.
ExampleRun run_example(const std::string& target, const std::string& arguments = "");

}  // namespace nabla::testing

#endif  // NABLA_TESTS_EXAMPLE_RUNNER_H_
