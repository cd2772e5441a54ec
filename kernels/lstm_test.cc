#include "kernels/lstm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/internal/test_util.h"
#include "tensor/backend.h"

namespace nabla::kernels {
namespace {

using ::testing::AllOf;
using testing::dot;
using testing::expect_close;
using ::testing::HasSubstr;
using testing::random_tensor;
using ::testing::ThrowsMessage;

constexpr std::int64_t kN = 3, kT = 4, kI = 5, kH = 6;

LstmInputs random_inputs() {
  return {random_tensor({kN, kT, kI}, 1, kFloat32), random_tensor({kN, kH}, 2, kFloat32),
          random_tensor({kN, kH}, 3, kFloat32),     random_tensor({kI, 4 * kH}, 4, kFloat32),
          random_tensor({kH, 4 * kH}, 5, kFloat32), random_tensor({4 * kH}, 6, kFloat32)};
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// The LSTM equations written out in float64 scalars: the sequence [N, T + 1, H]
// of hidden states h_1 .. h_T, then c_T.
LstmForward plain_lstm(const LstmInputs& in) {
  const std::vector<double> x = in.input.to_vector<double>(), w_ih = in.w_ih.to_vector<double>(),
                            w_hh = in.w_hh.to_vector<double>(), bias = in.bias.to_vector<double>();
  std::vector<double> h = in.h0.to_vector<double>(), c = in.c0.to_vector<double>();
  std::vector<double> hidden(kN * kT * kH);
  for (std::int64_t t = 0; t < kT; ++t) {
    std::vector<double> next_h(h.size());
    for (std::int64_t n = 0; n < kN; ++n) {
      for (std::int64_t j = 0; j < kH; ++j) {
        double gate[4];
        for (std::int64_t g = 0; g < 4; ++g) {
          const std::int64_t column = g * kH + j;
          double sum = bias[column];
          for (std::int64_t k = 0; k < kI; ++k) sum += x[(n * kT + t) * kI + k] * w_ih[k * 4 * kH + column];
          for (std::int64_t k = 0; k < kH; ++k) sum += h[n * kH + k] * w_hh[k * 4 * kH + column];
          gate[g] = sum;
        }
        double& cell = c[n * kH + j];
        cell = sigmoid(gate[1]) * cell + sigmoid(gate[0]) * std::tanh(gate[2]);
        next_h[n * kH + j] = sigmoid(gate[3]) * std::tanh(cell);
        hidden[(n * kT + t) * kH + j] = next_h[n * kH + j];
      }
    }
    h = next_h;
  }
  return {concat({from_vector(hidden, {kN, kT, kH}), from_vector(c, {kN, 1, kH})}, 1), Tensor(), {}};
}

class LstmOneDnn : public ::testing::Test {
 private:
  BackendScope scope_{Backend::kOneDnn};
};

TEST_F(LstmOneDnn, SupportsFloat32OnTheOneDnnBackendOnly) {
  EXPECT_TRUE(lstm_onednn_supports(kFloat32, kN, kI, kH));
  EXPECT_FALSE(lstm_onednn_supports(kFloat64, kN, kI, kH));
  EXPECT_FALSE(lstm_onednn_supports(kFloat32, 0, kI, kH));
  const BackendScope reference(Backend::kReference);
  EXPECT_FALSE(lstm_onednn_supports(kFloat32, kN, kI, kH));
}

TEST_F(LstmOneDnn, ForwardMatchesTheEquations) {
  const LstmInputs in = random_inputs();
  const LstmForward expected = plain_lstm(in);
  for (bool training : {true, false}) {
    const LstmForward out = lstm_forward_onednn(in, training);
    EXPECT_EQ(out.sequence.shape(), (Shape{kN, kT + 1, kH}));
    expect_close(out.hidden(), expected.hidden(), 1e-5);
    expect_close(out.cell(), expected.cell(), 1e-5);
    EXPECT_EQ(out.workspace.defined(), training);
  }
}

// Each gradient against the central difference of L = Σ hidden·r_h + Σ c_T·r_c
// along a random direction of its input.
TEST_F(LstmOneDnn, BackwardMatchesDirectionalDerivatives) {
  const LstmInputs in = random_inputs();
  const Tensor grad_hidden = random_tensor({kN, kT, kH}, 7, kFloat32), grad_cell = random_tensor({kN, kH}, 8, kFloat32);
  const LstmGradients grads =
      lstm_backward_onednn(in, lstm_forward_onednn(in, true), concat({grad_hidden, grad_cell.unsqueeze(1)}, 1));
  auto loss = [&](const LstmInputs& at) {
    const LstmForward out = plain_lstm(at);
    return dot(out.hidden(), grad_hidden.astype(kFloat64)) + dot(out.cell(), grad_cell.astype(kFloat64));
  };
  const struct {
    const char* name;
    Tensor LstmInputs::*input;
    Tensor LstmGradients::*grad;
  } cases[] = {{"input", &LstmInputs::input, &LstmGradients::input}, {"h0", &LstmInputs::h0, &LstmGradients::h0},
               {"c0", &LstmInputs::c0, &LstmGradients::c0},          {"w_ih", &LstmInputs::w_ih, &LstmGradients::w_ih},
               {"w_hh", &LstmInputs::w_hh, &LstmGradients::w_hh},    {"bias", &LstmInputs::bias, &LstmGradients::bias}};
  constexpr double kStep = 1e-3;
  std::uint64_t seed = 20;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ((grads.*c.grad).shape(), (in.*c.input).shape());
    const Tensor direction = random_tensor((in.*c.input).shape(), ++seed);
    LstmInputs plus = in, minus = in;
    plus.*c.input = (in.*c.input).astype(kFloat64) + direction * kStep;
    minus.*c.input = (in.*c.input).astype(kFloat64) - direction * kStep;
    const double numeric = (loss(plus) - loss(minus)) / (2 * kStep);
    EXPECT_NEAR(dot(grads.*c.grad, direction), numeric, 1e-4 * (1 + std::abs(numeric)));
  }
}

TEST_F(LstmOneDnn, RejectsOperandsThatDoNotFitTheSizes) {
  LstmInputs wrong_w_hh = random_inputs();
  wrong_w_hh.w_hh = zeros({kH + 1, 4 * kH});
  EXPECT_THAT([&] { lstm_forward_onednn(wrong_w_hh, true); },
              ThrowsMessage<Error>(AllOf(HasSubstr("lstm: w_hh must be a contiguous float32 tensor [6, 24], got "
                                                   "float32 [7, 24]"),
                                         HasSubstr("input [3, 4, 5], h0 [3, 6]"))));
  LstmInputs strided = random_inputs();
  strided.input = random_tensor({kN, kI, kT}, 9, kFloat32).transpose(1, 2);
  EXPECT_THAT([&] { lstm_forward_onednn(strided, false); },
              ThrowsMessage<Error>(HasSubstr("lstm: input must be a contiguous float32 tensor [3, 4, 5], got float32 "
                                             "[3, 4, 5] (strided)")));
  LstmInputs float64 = random_inputs();
  float64.bias = random_tensor({4 * kH}, 10);
  EXPECT_THAT([&] { lstm_forward_onednn(float64, false); },
              ThrowsMessage<Error>(HasSubstr("lstm: bias must be a contiguous float32 tensor [24], got float64 [24]")));
  const LstmInputs in = random_inputs();
  EXPECT_THAT([&] { lstm_backward_onednn(in, lstm_forward_onednn(in, true), zeros({kN, kT, kH})); },
              ThrowsMessage<Error>(HasSubstr("lstm_backward: grad_sequence must be a contiguous float32 tensor "
                                             "[3, 5, 6], got float32 [3, 4, 6]")));
  const LstmForward forward = lstm_forward_onednn(in, true);
  EXPECT_THAT([&] { lstm_backward_onednn(in, {forward.hidden(), forward.workspace, forward.workspace_sizes}, zeros({kN, kT + 1, kH})); },
              ThrowsMessage<Error>(HasSubstr("lstm_backward: forward.sequence must be a contiguous float32 tensor "
                                             "[3, 5, 6], got float32 [3, 4, 6] (strided)")));
}

TEST_F(LstmOneDnn, BackwardNeedsATrainingWorkspace) {
  const LstmInputs in = random_inputs();
  EXPECT_THAT(
      [&] {
        lstm_backward_onednn(in, lstm_forward_onednn(in, false), zeros({kN, kT + 1, kH}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("lstm_backward: the workspace is not one"),
                                 HasSubstr("input [3, 4, 5], h0 [3, 6], c0 [3, 6], w_ih [5, 24], "
                                           "w_hh [6, 24], bias [24]"))));
}

TEST_F(LstmOneDnn, NeedsATimeStep) {
  const LstmInputs in{zeros({kN, 0, kI}), ones({kN, kH}), full({kN, kH}, 2.0), zeros({kI, 4 * kH}),
                      zeros({kH, 4 * kH}), zeros({4 * kH})};
  EXPECT_THAT([&] { lstm_forward_onednn(in, false); },
              ThrowsMessage<Error>(HasSubstr("lstm: needs at least one time step (input [3, 0, 5]")));
}

// Workspaces of T = 1 and T = 4 have the same size here: the sizes tell them apart.
TEST_F(LstmOneDnn, BackwardRejectsTheWorkspaceOfAnotherSequenceLength) {
  const LstmInputs in = random_inputs();
  LstmInputs shorter = in;
  shorter.input = in.input.slice(1, 0, 1).contiguous();
  const LstmForward forward = lstm_forward_onednn(in, true);
  const LstmForward other = lstm_forward_onednn(shorter, true);
  EXPECT_THAT(
      [&] {
        lstm_backward_onednn(in, {forward.sequence, other.workspace, other.workspace_sizes},
                             ones(forward.sequence.shape()));
      },
      ThrowsMessage<Error>(HasSubstr("it was made for [N, T, I, H] [3, 1, 5, 6]")));
}

}  // namespace
}  // namespace nabla::kernels
