#include "tensor/backend.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>

#include "tensor/error.h"

namespace nabla {
namespace {

Backend initial_backend() {
  const char* env = std::getenv("NABLA_BACKEND");
  if (env == nullptr || *env == '\0') return Backend::kOneDnn;
  try {
    return parse_backend(env);
  } catch (const Error& error) {
    throw Error(std::string("environment variable NABLA_BACKEND: ") + error.what());
  }
}

std::atomic<Backend>& backend_slot() {
  static std::atomic<Backend> slot(initial_backend());
  return slot;
}

}  // namespace

const char* backend_name(Backend backend) { return backend == Backend::kOneDnn ? "onednn" : "reference"; }

Backend parse_backend(const std::string& name) {
  if (name == "onednn") return Backend::kOneDnn;
  if (name == "reference") return Backend::kReference;
  throw Error(internal::concat_message("unknown backend \"", name, "\": expected \"onednn\" or \"reference\""));
}

Backend current_backend() { return backend_slot().load(std::memory_order_relaxed); }

void set_backend(Backend backend) { backend_slot().store(backend, std::memory_order_relaxed); }

void set_num_threads(int threads) {
  NABLA_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got ", threads);
  omp_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace nabla
