#include "kernels/internal/onednn.h"

#include <omp.h>

#include <cstring>
#include <string>

#include "tensor/tensor.h"

namespace nabla::kernels::internal::onednn {

dnnl::engine& engine() {
  static dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
  return cpu;
}

// A stream is not meant to be shared between threads.
dnnl::stream& stream() {
  thread_local dnnl::stream per_thread(engine());
  return per_thread;
}

std::int64_t key_bits(float value) {
  std::int32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

std::size_t PrimitiveKeyHash::operator()(const PrimitiveKey& key) const {
  std::size_t hash = std::hash<int>()(static_cast<int>(key.op)) ^ (std::hash<int>()(key.threads) << 1);
  for (std::int64_t field : key.fields) {
    hash ^= std::hash<std::int64_t>()(field) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  }
  return hash;
}

Operand::Operand(int arg, const dnnl::memory::desc& plain, const dnnl::memory::desc& chosen, bool is_output)
    : arg(arg), plain(plain), chosen(chosen) {
  if (plain == chosen) return;
  reorder = is_output ? dnnl::reorder(dnnl::reorder::primitive_desc(engine(), chosen, engine(), plain))
                      : dnnl::reorder(dnnl::reorder::primitive_desc(engine(), plain, engine(), chosen));
}

Tensor buffer_for(const dnnl::memory::desc& desc) {
  return empty({static_cast<std::int64_t>((desc.get_size() + sizeof(float) - 1) / sizeof(float))}, kFloat32);
}

Tensor dense(const Tensor& t) { return t.contiguous(t.suggest_memory_format()); }

dnnl::memory::format_tag tag_of(const Tensor& t) {
  return t.is_contiguous(MemoryFormat::kChannelsLast) ? dnnl::memory::format_tag::nhwc
                                                      : dnnl::memory::format_tag::nchw;
}

bool cpu_has_avx512() {
  // oneDNN's ISA values are bit sets: each one holds the bits of those it extends.
  const auto avx512_core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & avx512_core) == avx512_core;
}

dnnl::memory::format_tag channel_blocked_tag() {
  return cpu_has_avx512() ? dnnl::memory::format_tag::nChw16c : dnnl::memory::format_tag::nChw8c;
}

bool fits(const Tensor& buffer, const dnnl::memory::desc& desc) {
  return buffer.defined() && buffer.dtype() == kFloat32 && buffer.is_contiguous() &&
         static_cast<std::size_t>(buffer.numel()) * sizeof(float) >= desc.get_size();
}

void execute(const Plan& plan, const std::vector<const void*>& inputs, const std::vector<void*>& outputs) {
  dnnl::stream& s = stream();
  std::vector<Tensor> scratch;  // keeps blocked copies alive until the primitive ran
  std::unordered_map<int, dnnl::memory> args;
  for (std::size_t i = 0; i < plan.inputs.size(); ++i) {
    const Operand& in = plan.inputs[i];
    dnnl::memory plain(in.plain, engine(), const_cast<void*>(inputs[i]));
    if (!in.reorder) {
      args.emplace(in.arg, plain);
      continue;
    }
    scratch.push_back(buffer_for(in.chosen));
    dnnl::memory blocked(in.chosen, engine(), scratch.back().data<float>());
    in.reorder->execute(s, plain, blocked);
    args.emplace(in.arg, blocked);
  }
  std::vector<std::pair<dnnl::memory, dnnl::memory>> to_reorder;  // (blocked, plain)
  for (std::size_t i = 0; i < plan.outputs.size(); ++i) {
    const Operand& out = plan.outputs[i];
    dnnl::memory plain(out.plain, engine(), outputs[i]);
    if (!out.reorder) {
      args.emplace(out.arg, plain);
      continue;
    }
    scratch.push_back(buffer_for(out.chosen));
    dnnl::memory blocked(out.chosen, engine(), scratch.back().data<float>());
    args.emplace(out.arg, blocked);
    to_reorder.emplace_back(blocked, plain);
  }
  plan.primitive.execute(s, args);
  std::size_t next = 0;
  for (const Operand& out : plan.outputs) {
    if (!out.reorder) continue;
    out.reorder->execute(s, to_reorder[next].first, to_reorder[next].second);
    ++next;
  }
  s.wait();
}

namespace {

std::string describe(const dnnl::error& error) {
  return std::string(error.what()) + " (status " + std::to_string(static_cast<int>(error.status)) + ")";
}

}  // namespace

std::shared_ptr<const Plan> cached_plan(PrimitiveKey key, const char* op_name,
                                        const std::function<Plan()>& create) {
  static PrimitiveCache<Plan> cache(kCacheCapacity);
  // A primitive keeps the thread count it was created with: one made on 1
  // thread and reused after set_num_threads(2) runs on 1 (cnn_train, 2
  // threads, after a 1-thread run in the same process: 1771 against 2565
  // samples/s).
  key.threads = omp_get_max_threads();
  try {
    return cache.get(key, create);
  } catch (const dnnl::error& error) {
    throw Error(::nabla::internal::concat_message(op_name, ": oneDNN could not create the primitive: ",
                                                  describe(error)));
  }
}

void run(const char* op_name, const Plan& plan, const std::vector<const void*>& inputs,
         const std::vector<void*>& outputs) {
  try {
    execute(plan, inputs, outputs);
  } catch (const dnnl::error& error) {
    throw Error(::nabla::internal::concat_message(op_name, ": oneDNN failed: ", describe(error)));
  }
}

}  // namespace nabla::kernels::internal::onednn
