#include "tests/example_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace nabla::testing {

ExampleRun run_example(const std::string& target, const std::string& arguments) {
  const char* runfiles = std::getenv("TEST_SRCDIR");
  const std::string binary = std::string(runfiles != nullptr ? runfiles : ".") + "/nabla/" + target;
  const std::string command = binary + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot start " + command);
  ExampleRun run;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, got);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace nabla::testing
