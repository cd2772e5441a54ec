// Runs half of a training run in a process of its own, for resume_test:
//   resume_tool train STEPS OUT      a fresh model and Adam, STEPS steps, save to OUT
//   resume_tool resume IN STEPS OUT  a fresh model (other initial weights) and
//                                    Adam, load IN, STEPS more steps, save to OUT
// Exits 1 with a message on stderr when anything fails.

#include <cstdlib>
#include <iostream>
#include <string>

#include "checkpoint/checkpoint.h"
#include "checkpoint/internal/training_fixture.h"

namespace {

int run(int argc, char** argv) {
  using namespace nabla::checkpoint;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "train" && argc == 4) {
    auto model = testing::make_model(/*seed=*/1);
    auto optimizer = testing::make_optimizer(*model);
    testing::train(*model, *optimizer, std::stoi(argv[2]));
    save(argv[3], *model, optimizer.get());
    return 0;
  }
  if (mode == "resume" && argc == 5) {
    auto model = testing::make_model(/*seed=*/2);
    auto optimizer = testing::make_optimizer(*model);
    load(argv[2], *model, optimizer.get());
    testing::train(*model, *optimizer, std::stoi(argv[3]));
    save(argv[4], *model, optimizer.get());
    return 0;
  }
  std::cerr << "usage: resume_tool train STEPS OUT | resume_tool resume IN STEPS OUT\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "resume_tool: " << error.what() << "\n";
    return 1;
  }
}
