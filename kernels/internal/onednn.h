#ifndef NABLA_KERNELS_INTERNAL_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_ONEDNN_H_

// What every oneDNN-backed kernel shares: the CPU engine, a stream per
// thread, a bounded cache of primitives keyed per shape, and an executor that
// reorders our dense tensors to and from the layouts a primitive chose.
//
// Creating a oneDNN primitive descriptor costs tens of microseconds (it
// tries every implementation); a training step calls the same few shapes
// thousands of times, so each kernel builds its Plan once per key.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::kernels::internal::onednn {

dnnl::engine& engine();
dnnl::stream& stream();

// Every kind of primitive the kernels build, for the cache keys.
enum class PrimitiveOp {
  kConvForward,
  kConvForwardWithBias,
  kConvBackwardData,
  kConvBackwardWeights,
  kAvgPoolForward,
  kAvgPoolBackward,
  kBatchNormInference,
  kEltwiseForward,
  kEltwiseBackward,
  kSoftmaxForward,
  kSoftmaxBackward,
  kLstmForwardTraining,
  kLstmForwardInference,
  kLstmBackward,
};

// One primitive's identity: which op, every size and attribute it was
// created for, and the OpenMP thread count it runs on (cached_plan sets it:
// oneDNN fixes a primitive's thread count when it is created).
struct PrimitiveKey {
  PrimitiveOp op = PrimitiveOp::kConvForward;
  std::vector<std::int64_t> fields;
  int threads = 0;

  bool operator==(const PrimitiveKey& other) const {
    return op == other.op && fields == other.fields && threads == other.threads;
  }
};

// A float attribute (eps, a slope) as a key field: its exact bits.
std::int64_t key_bits(float value);

struct PrimitiveKeyHash {
  std::size_t operator()(const PrimitiveKey& key) const;
};

// A least-recently-used map from keys to immutable values, holding at most
// `capacity` of them; safe to use from several threads.
template <typename Value>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(std::size_t capacity) : capacity_(capacity) {
    NABLA_CHECK(capacity > 0, "PrimitiveCache: capacity must be positive");
  }

  // The cached value for `key`, made by `create` on a miss. A value evicted
  // while a caller still runs it stays alive until that caller is done.
  std::shared_ptr<const Value> get(const PrimitiveKey& key, const std::function<Value()>& create) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = index_.find(key);
      if (found != index_.end()) {
        entries_.splice(entries_.begin(), entries_, found->second);
        return found->second->second;
      }
    }
    auto value = std::make_shared<const Value>(create());
    std::lock_guard<std::mutex> lock(mutex_);
    if (index_.count(key) == 0) {
      entries_.emplace_front(key, value);
      index_.emplace(key, entries_.begin());
      if (entries_.size() > capacity_) {
        index_.erase(entries_.back().first);
        entries_.pop_back();
      }
    }
    return value;
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }

 private:
  using Entry = std::pair<PrimitiveKey, std::shared_ptr<const Value>>;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<PrimitiveKey, typename std::list<Entry>::iterator, PrimitiveKeyHash> index_;
};

// How many plans the kernels keep: a model rarely has more distinct layer
// shapes and passes, and a plan holds little memory besides oneDNN's
// generated code.
constexpr std::size_t kCacheCapacity = 512;

// One argument of a primitive: its DNNL_ARG_* slot, our dense layout and the
// layout the primitive chose, with the reorder between them built once.
struct Operand {
  Operand(int arg, const dnnl::memory::desc& plain, const dnnl::memory::desc& chosen, bool is_output);

  int arg;
  dnnl::memory::desc plain;
  dnnl::memory::desc chosen;
  std::optional<dnnl::reorder> reorder;  // plain -> chosen for inputs, chosen -> plain for the output
};

// A primitive with the layouts of its operands.
struct Plan {
  dnnl::primitive primitive;
  std::vector<Operand> inputs;
  std::vector<Operand> outputs;
};

// Runs plan.primitive on dense buffers in our layouts: `inputs` and
// `outputs` in the order of plan.inputs and plan.outputs, each output
// written in full. Operands the primitive wants blocked go through scratch
// buffers from our allocator.
void execute(const Plan& plan, const std::vector<const void*>& inputs, const std::vector<void*>& outputs);

// The plan cached under `key` and the current thread count, built by
// `create` on a miss. oneDNN errors become a nabla::Error naming `op_name`.
std::shared_ptr<const Plan> cached_plan(PrimitiveKey key, const char* op_name,
                                        const std::function<Plan()>& create);

// execute(), with oneDNN errors turned into a nabla::Error naming `op_name`.
void run(const char* op_name, const Plan& plan, const std::vector<const void*>& inputs,
         const std::vector<void*>& outputs);

// A dense buffer of at least desc.get_size() bytes (a float32 tensor), for
// opaque operands such as the LSTM's workspace.
Tensor buffer_for(const dnnl::memory::desc& desc);

// `t` itself when dense in either memory format (oneDNN reads both), else a
// row-major copy.
Tensor dense(const Tensor& t);

// How a dense [N, C, H, W] tensor lays out its elements, as oneDNN spells
// it: nhwc when channels-last (also when dense in both formats), else nchw.
dnnl::memory::format_tag tag_of(const Tensor& t);

// Whether oneDNN runs its AVX-512 kernels on this CPU.
bool cpu_has_avx512();

// [N, C, H, W] with channels in blocks of the CPU's vector width: nChw16c
// with AVX-512, else nChw8c. oneDNN's jit kernels take only their own ISA's
// block; given the other they fall back to reference code (batch norm
// forward + backward on [64, 128, 7, 7], AVX2, 1 thread: 86 ms on nChw16c,
// 0.36 ms on nChw8c).
dnnl::memory::format_tag channel_blocked_tag();

// Whether `buffer` could be one buffer_for(desc) made: the check an opaque
// operand gets before oneDNN reads desc.get_size() bytes from it.
bool fits(const Tensor& buffer, const dnnl::memory::desc& desc);

}  // namespace nabla::kernels::internal::onednn

#endif  // NABLA_KERNELS_INTERNAL_ONEDNN_H_
