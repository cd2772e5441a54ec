#ifndef NABLA_NN_OPTIONS_H_
#define NABLA_NN_OPTIONS_H_

/// NABLA_ARG declares an option with a chainable setter and a getter, as
/// libtorch's TORCH_ARG: DenseOptions(784, 256).bias(false).

#define NABLA_ARG(Type, name)                 \
 public:                                      \
  auto& name(Type const& new_value) {         \
    name##_ = new_value;                      \
    return *this;                             \
  }                                           \
  Type const& name() const { return name##_; } \
                                              \
 private:                                     \
  Type name##_

#endif  // NABLA_NN_OPTIONS_H_
