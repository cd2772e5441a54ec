#include "checkpoint/safetensors.h"

#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tensor/ops.h"

namespace nabla::checkpoint {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string test_dir() {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root != nullptr ? root : "/tmp") + "/" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The 8-byte little-endian length, then the header as given, then the data.
std::string make_file(const std::string& header, const std::string& data) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((std::uint64_t{header.size()} >> (8 * i)) & 0xff));
  return bytes + header + data;
}

// Same dtype, shape and bytes (so NaN, -0 and the int64 extremes count).
::testing::AssertionResult same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) {
    return ::testing::AssertionFailure()
           << internal::concat_message(a.dtype(), " ", a.shape(), " vs ", b.dtype(), " ", b.shape());
  }
  const bool equal = dispatch(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> x = a.to_vector<T>();
    const std::vector<T> y = b.to_vector<T>();
    return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0);
  });
  if (!equal) return ::testing::AssertionFailure() << a << " vs " << b;
  return ::testing::AssertionSuccess();
}

// Parses `bytes` as the file "bad.safetensors" and returns the error message
// ("" when it parses).
std::string parse_error(const std::string& bytes) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// A header of two F32 [2] tensors, "a" then "b", with the given offsets.
std::string two_tensors(const std::string& a_offsets, const std::string& b_offsets) {
  return "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + a_offsets +
         "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + b_offsets + "}}";
}

// ---- The published layout, checked against bytes written out by hand. ----

// {"__metadata__":{"k":"v"},"a":F32 [2] = {1, -2},"b":I64 [] = 7}: the
// header is 132 bytes of JSON plus 4 spaces = 136 = 0x88.
const char kHeader[] =
    "{\"__metadata__\":{\"k\":\"v\"},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
    "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}    ";
const std::string kKnownFile = std::string("\x88\0\0\0\0\0\0\0", 8) + kHeader +
                               std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8) +  // 1.0f, -2.0f
                               std::string("\x07\0\0\0\0\0\0\0", 8);                 // int64 7

TEST(SafetensorsFormat, WritesTheByteExactKnownFile) {
  ASSERT_EQ(sizeof kHeader - 1, 136u);
  const std::string path = test_dir() + "/known.safetensors";
  save_tensors(path, {{"a", tensor({1, -2})}, {"b", scalar(7, kInt64)}}, {{"k", "v"}});
  EXPECT_EQ(read_bytes(path), kKnownFile);
}

TEST(SafetensorsFormat, ReadsTheByteExactKnownFile) {
  const TensorFile file = parse_safetensors(kKnownFile, "known");
  ASSERT_EQ(file.tensors.size(), 2u);
  EXPECT_EQ(file.tensors[0].first, "a");
  EXPECT_TRUE(same_bits(file.tensors[0].second, tensor({1, -2})));
  EXPECT_EQ(file.tensors[1].first, "b");
  EXPECT_TRUE(same_bits(file.tensors[1].second, scalar(7, kInt64)));
  EXPECT_EQ(file.metadata, (std::map<std::string, std::string>{{"k", "v"}}));
}

TEST(SafetensorsFormat, Float64WithoutMetadata) {
  // 55 bytes of JSON plus one space = 56 = 0x38; 0.5 and -1.25 as doubles.
  const std::string expected = std::string("\x38\0\0\0\0\0\0\0", 8) +
                               "{\"c\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}} " +
                               std::string("\0\0\0\0\0\0\xe0\x3f\0\0\0\0\0\0\xf4\xbf", 16);
  EXPECT_EQ(serialize_safetensors({{"c", tensor({0.5, -1.25}, {2}, kFloat64)}}), expected);
  const TensorFile file = parse_safetensors(expected, "c");
  ASSERT_EQ(file.tensors.size(), 1u);
  EXPECT_TRUE(same_bits(file.tensors[0].second, tensor({0.5, -1.25}, {2}, kFloat64)));
  EXPECT_TRUE(file.metadata.empty());
}

TEST(SafetensorsFormat, EmptyFileIsAnEmptyObjectPaddedToEight) {
  EXPECT_EQ(serialize_safetensors({}), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  EXPECT_TRUE(parse_safetensors(serialize_safetensors({}), "empty").tensors.empty());
}

TEST(SafetensorsFormat, ReadsHeadersInAnyKeyOrderAndSpacing) {
  // The reference implementation orders by dtype then name; JSON objects
  // are unordered. Tensors come back in the order of their data.
  const std::string header =
      "{ \"b\" : {\"data_offsets\": [8, 16], \"shape\": [2], \"dtype\": \"F32\"},\n"
      "  \"a\" : {\"shape\": [2], \"dtype\": \"F32\", \"data_offsets\": [0, 8]} }";
  const std::string data = std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8) + std::string(8, '\0');
  const TensorFile file = parse_safetensors(make_file(header, data), "any order");
  ASSERT_EQ(file.tensors.size(), 2u);
  EXPECT_EQ(file.tensors[0].first, "a");
  EXPECT_TRUE(same_bits(file.tensors[0].second, tensor({1, -2})));
  EXPECT_EQ(file.tensors[1].first, "b");
  EXPECT_TRUE(same_bits(file.tensors[1].second, zeros({2})));
}

// ---- Round trips. ----

TEST(Safetensors, RoundTripsEveryDtypeAndShape) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const NamedTensors tensors = {
      {"float32", tensor({1.5, -0.0, inf, -inf, nan, 1e-45, 3.4e38}, {7})},
      {"float64", tensor({0.1, -2.5, 1e-310, nan, 6, 7}, {2, 3}, kFloat64)},
      {"int64", from_vector<std::int64_t>({std::numeric_limits<std::int64_t>::min(), -1, 0,
                                           std::numeric_limits<std::int64_t>::max()},
                                          {2, 1, 2})},
      {"scalar", scalar(3.25, kFloat64)},
      {"scalar_int", scalar(-9, kInt64)},
      {"empty", zeros({0})},
      {"empty_middle", zeros({2, 0, 3}, kInt64)},
      {"unicode ✓ name", ones({1, 1, 1, 1})},
      {"", full({3}, 2.0, kFloat64)},
      {"transposed", arange(0, 6).reshape({2, 3}).transpose(0, 1)},
      {"empty_last", zeros({0, 4}, kFloat64)},
  };
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcödé"}, {"empty", ""}};
  const std::string path = test_dir() + "/round_trip.safetensors";
  save_tensors(path, tensors, metadata);
  const TensorFile file = load_tensors(path);
  ASSERT_EQ(file.tensors.size(), tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(file.tensors[i].first, tensors[i].first);
    EXPECT_TRUE(same_bits(file.tensors[i].second, tensors[i].second)) << tensors[i].first;
    EXPECT_TRUE(file.tensors[i].second.is_contiguous());
  }
  EXPECT_EQ(file.metadata, metadata);
  // The data starts 8-byte aligned.
  const std::string bytes = read_bytes(path);
  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ(header_length % 8, 0u);
}

TEST(Safetensors, ManyNamesParseInLogLinearTime) {
  // 50,000 names (a 3 MB header): quadratic name lookups would take minutes.
  NamedTensors tensors;
  for (int i = 0; i < 50000; ++i) tensors.emplace_back("t" + std::to_string(i), zeros({0}));
  tensors.emplace_back("last", scalar(1, kInt64));
  const TensorFile file = parse_safetensors(serialize_safetensors(tensors), "many");
  ASSERT_EQ(file.tensors.size(), tensors.size());
  // Empty tensors share offset 0; they keep the header's order.
  EXPECT_EQ(file.tensors[0].first, "t0");
  EXPECT_EQ(file.tensors[49999].first, "t49999");
  EXPECT_EQ(file.tensors[50000].first, "last");
}

TEST(Safetensors, LoadedTensorsOwnTheirStorage) {
  Tensor original = tensor({1, 2, 3});
  const TensorFile file = parse_safetensors(serialize_safetensors({{"x", original}}), "own");
  original.fill_(0);
  EXPECT_TRUE(same_bits(file.tensors[0].second, tensor({1, 2, 3})));
}

TEST(Safetensors, SerializeRejectsBadInput) {
  EXPECT_THAT([] { serialize_safetensors({{"x", Tensor()}}); },
              ThrowsMessage<Error>(HasSubstr("tensor 'x' is undefined")));
  EXPECT_THAT([] { serialize_safetensors({{"x", zeros({1})}, {"x", zeros({2})}}); },
              ThrowsMessage<Error>(HasSubstr("the name 'x' appears twice")));
  EXPECT_THAT([] { serialize_safetensors({{"__metadata__", zeros({1})}}); },
              ThrowsMessage<Error>(HasSubstr("cannot be named '__metadata__'")));
  EXPECT_THAT([] { serialize_safetensors({{"bad \xff name", zeros({1})}}); },
              ThrowsMessage<Error>(HasSubstr("not valid UTF-8")));
  EXPECT_THAT([] { serialize_safetensors({}, {{"k", "\xc3"}}); }, ThrowsMessage<Error>(HasSubstr("not valid UTF-8")));
}

TEST(Safetensors, LoadNamesAMissingFile) {
  const std::string path = test_dir() + "/missing.safetensors";
  EXPECT_THAT([&] { load_tensors(path); },
              ThrowsMessage<Error>(HasSubstr("load_tensors: cannot open '" + path + "'")));
}

// ---- Corrupt files: each a clear error naming the file and the problem. ----

TEST(SafetensorsCorrupt, TruncatedAtEveryLength) {
  // Every proper prefix of a valid file is rejected, with the reason for
  // where it was cut.
  for (std::size_t length = 0; length < kKnownFile.size(); ++length) {
    const std::string message = parse_error(kKnownFile.substr(0, length));
    ASSERT_THAT(message, HasSubstr("load_tensors: 'bad.safetensors': ")) << "length " << length;
    if (length < 8) {
      EXPECT_THAT(message, HasSubstr("the file is " + std::to_string(length) +
                                     " bytes, too short for the 8-byte header length"));
    } else if (length < 8 + 136) {
      EXPECT_THAT(message, HasSubstr("the header length 136 exceeds the " + std::to_string(length - 8) +
                                     " bytes after the length field; truncated file?"));
    } else {
      EXPECT_THAT(message, HasSubstr("lie outside the " + std::to_string(length - 144) + " data bytes"));
    }
  }
}

TEST(SafetensorsCorrupt, AbsurdHeaderLength) {
  std::string bytes = kKnownFile;
  bytes[5] = '\x01';  // 2^40 + 136
  EXPECT_THAT(parse_error(bytes), HasSubstr("the header length 1099511627912 is absurd (the limit is 100000000"));
  std::memset(&bytes[0], 0xff, 8);
  EXPECT_THAT(parse_error(bytes), HasSubstr("the header length 18446744073709551615 is absurd"));
}

TEST(SafetensorsCorrupt, HeaderMustBeAJsonObject) {
  EXPECT_THAT(parse_error(make_file("", "")), HasSubstr("the header does not start with '{'"));
  EXPECT_THAT(parse_error(make_file("[]", "")), HasSubstr("the header does not start with '{'"));
  EXPECT_THAT(parse_error(make_file(" {}", "")), HasSubstr("the header does not start with '{'"));
  EXPECT_THAT(parse_error(make_file("{\"a\":", "")), HasSubstr("the header is not valid JSON"));
  EXPECT_THAT(parse_error(make_file("{} x", "")), HasSubstr("the header is not valid JSON"));
  EXPECT_THAT(parse_error(make_file("{\"\xff\":1}", "")), HasSubstr("the header is not valid JSON"));
  EXPECT_THAT(parse_error(make_file("{\"a\":[[[1]]]}", "")), HasSubstr("nests JSON deeper than a safetensors header"));
  EXPECT_THAT(parse_error(make_file("{\"a\":" + std::string(100000, '[') + "}", "")),
              HasSubstr("nests JSON deeper"));
  EXPECT_EQ(parse_error(make_file("{}", "")), "");
  EXPECT_EQ(parse_error(make_file("{}\n\t   ", "")), "");
}

TEST(SafetensorsCorrupt, EveryHeaderByteFlipped) {
  // Whatever a flipped bit does to the header, the parser reports an error
  // or reads a consistent file; it never crashes (the asan config checks).
  int errors = 0;
  for (std::size_t i = 8; i < 8 + 136; ++i) {
    for (unsigned bit : {0x01u, 0x20u, 0x80u}) {
      std::string bytes = kKnownFile;
      bytes[i] = static_cast<char>(static_cast<unsigned char>(bytes[i]) ^ bit);
      const std::string message = parse_error(bytes);
      if (!message.empty()) {
        ++errors;
        EXPECT_THAT(message, HasSubstr("load_tensors: 'bad.safetensors': "));
      }
    }
  }
  EXPECT_GT(errors, 300);
}

TEST(SafetensorsCorrupt, MetadataMustMapStringsToStrings) {
  EXPECT_THAT(parse_error(make_file("{\"__metadata__\":[]}", "")),
              HasSubstr("\"__metadata__\" is not an object of strings but array"));
  EXPECT_THAT(parse_error(make_file("{\"__metadata__\":{\"epoch\":3}}", "")),
              HasSubstr("\"__metadata__\" entry 'epoch' is not a string but number"));
}

TEST(SafetensorsCorrupt, DuplicateNames) {
  const std::string entry = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
  EXPECT_THAT(parse_error(make_file("{\"a\":" + entry + ",\"a\":" + entry + "}", std::string(8, '\0'))),
              HasSubstr("the header names 'a' twice"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,4]}}",
                                    std::string(4, '\0'))),
              HasSubstr("the header names 'dtype' twice within one entry"));
}

TEST(SafetensorsCorrupt, MissingUnknownAndMistypedFields) {
  const std::string data(8, '\0');
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': missing field \"dtype\""));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': missing field \"shape\""));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", data)),
              HasSubstr("tensor 'a': missing field \"data_offsets\""));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", data)),
              HasSubstr("tensor 'a': unknown field 'x'"));
  EXPECT_THAT(parse_error(make_file("{\"a\":[1]}", data)), HasSubstr("tensor 'a': the entry is not an object but array"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': \"dtype\" is not a string but number"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': \"shape\" is not an array but number"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{}}}", data)),
              HasSubstr("tensor 'a': \"data_offsets\" is not an array of two offsets but {}"));
}

TEST(SafetensorsCorrupt, Dtypes) {
  const std::string data(8, '\0');
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': dtype 'F16' is not supported (nabla reads F32, F64 and I64)"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("dtype 'BF16' is not supported"));
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': unknown dtype 'f32'"));
  // The right size for F32 [2] but the wrong dtype for it.
  EXPECT_THAT(parse_error(make_file("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", data)),
              HasSubstr("tensor 'a': \"data_offsets\" [0,8] hold 8 bytes, but F64 [2] needs 16"));
}

TEST(SafetensorsCorrupt, Shapes) {
  auto with_shape = [](const std::string& shape) {
    return parse_error(
        make_file("{\"a\":{\"dtype\":\"I64\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", std::string(8, '\0')));
  };
  EXPECT_THAT(with_shape("[-1]"), HasSubstr("tensor 'a': \"shape\" [-1] has a negative size"));
  EXPECT_THAT(with_shape("[1,-8]"), HasSubstr("\"shape\" [1,-8] has a negative size"));
  EXPECT_THAT(with_shape("[1.0]"), HasSubstr("\"shape\" [1.0] holds 1.0, not an integer"));
  EXPECT_THAT(with_shape("[\"1\"]"), HasSubstr("not an integer"));
  EXPECT_THAT(with_shape("[4294967296,4294967296]"), HasSubstr("has more elements than fit in 64 bits"));
  EXPECT_THAT(with_shape("[18446744073709551615]"), HasSubstr("has more elements than fit in 64 bits"));
  EXPECT_THAT(with_shape("[99999999999999999999999]"), HasSubstr("not an integer"));
  EXPECT_THAT(with_shape("[4611686018427387904]"), HasSubstr("I64 has more bytes than fit in 64 bits"));
  EXPECT_THAT(with_shape("[2]"), HasSubstr("\"data_offsets\" [0,8] hold 8 bytes, but I64 [2] needs 16"));
  EXPECT_EQ(with_shape("[1]"), "");
  EXPECT_EQ(with_shape("[1,1,1,1,1,1,1,1]"), "");
  // A zero-size tensor may have huge other dimensions, as long as a tensor's
  // strides can hold them.
  EXPECT_THAT(parse_error(make_file(
                  "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,4611686018427387904,4],\"data_offsets\":[0,0]}}", "")),
              HasSubstr("load_tensors: 'bad.safetensors': tensor 'a': \"shape\" [0,4611686018427387904,4] has sizes "
                        "(0 counted as 1) that multiply past 64 bits"));
  EXPECT_EQ(parse_error(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,0]}}",
                                  "")),
            "");
}

TEST(SafetensorsCorrupt, DataOffsets) {
  const std::string data(16, '\0');
  auto with_offsets = [&](const std::string& a, const std::string& b, const std::string& bytes) {
    return parse_error(make_file(two_tensors(a, b), bytes));
  };
  EXPECT_EQ(with_offsets("[0,8]", "[8,16]", data), "");
  EXPECT_EQ(with_offsets("[8,16]", "[0,8]", data), "");
  EXPECT_THAT(with_offsets("[0,4]", "[8,16]", data),
              HasSubstr("tensor 'a': \"data_offsets\" [0,4] hold 4 bytes, but F32 [2] needs 8"));
  EXPECT_THAT(with_offsets("[8,0]", "[8,16]", data),
              HasSubstr("tensor 'a': \"data_offsets\" [8,0] are out of order (begin after end)"));
  EXPECT_THAT(with_offsets("[0,8]", "[16,24]", data),
              HasSubstr("tensor 'b': \"data_offsets\" [16,24] lie outside the 16 data bytes"));
  EXPECT_THAT(with_offsets("[0,8]", "[18446744073709551608,0]", data), HasSubstr("are out of order"));
  EXPECT_THAT(with_offsets("[0,8]", "[18446744073709551615,7]", data), HasSubstr("are out of order"));
  EXPECT_THAT(with_offsets("[0,8]", "[8,18446744073709551615]", data), HasSubstr("lie outside the 16 data bytes"));
  EXPECT_THAT(with_offsets("[-8,0]", "[8,16]", data),
              HasSubstr("tensor 'a': \"data_offsets\" [-8,0] holds -8, not a non-negative integer"));
  EXPECT_THAT(with_offsets("[0,8.0]", "[8,16]", data), HasSubstr("holds 8.0, not a non-negative integer"));
  EXPECT_THAT(with_offsets("[0,8,16]", "[8,16]", data),
              HasSubstr("tensor 'a': \"data_offsets\" is not an array of two offsets but [0,8,16]"));
  EXPECT_THAT(with_offsets("[0]", "[8,16]", data), HasSubstr("is not an array of two offsets"));
  // Overlap, a hole, trailing bytes.
  EXPECT_THAT(with_offsets("[0,8]", "[4,12]", std::string(12, '\0')),
              HasSubstr("tensor 'b': data [4, 12) overlaps tensor 'a' at [0, 8)"));
  EXPECT_THAT(with_offsets("[0,8]", "[0,8]", std::string(8, '\0')), HasSubstr("overlaps tensor 'a'"));
  EXPECT_THAT(with_offsets("[0,8]", "[12,20]", std::string(20, '\0')),
              HasSubstr("data bytes [8, 12) before tensor 'b' belong to no tensor"));
  EXPECT_THAT(with_offsets("[4,12]", "[12,20]", std::string(20, '\0')),
              HasSubstr("data bytes [0, 4) before tensor 'a' belong to no tensor"));
  EXPECT_THAT(with_offsets("[0,8]", "[8,16]", std::string(19, '\0')),
              HasSubstr("3 trailing bytes after the last tensor's data (the data is 19 bytes, the tensors cover 16)"));
  EXPECT_THAT(parse_error(kKnownFile + "garbage"), HasSubstr("7 trailing bytes after the last tensor's data"));
  EXPECT_THAT(parse_error(make_file("{}", "x")), HasSubstr("1 trailing bytes"));
}

TEST(SafetensorsCorrupt, EmptyTensorsMayShareAnOffset) {
  const std::string header =
      "{\"e1\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
      "\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
      "\"e2\":{\"dtype\":\"I64\",\"shape\":[3,0],\"data_offsets\":[8,8]}}";
  const TensorFile file = parse_safetensors(make_file(header, std::string(8, '\0')), "empties");
  ASSERT_EQ(file.tensors.size(), 3u);
  EXPECT_EQ(file.tensors[0].first, "a");
  EXPECT_EQ(file.tensors[1].first, "e1");
  EXPECT_EQ(file.tensors[2].first, "e2");
  EXPECT_EQ(file.tensors[2].second.shape(), (Shape{3, 0}));
  // ... but not inside another tensor's bytes.
  const std::string inside =
      "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
      "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
  EXPECT_THAT(parse_error(make_file(inside, std::string(8, '\0'))), HasSubstr("tensor 'e': data [4, 4) overlaps"));
}

TEST(SafetensorsCorrupt, LoadTensorsNamesThePath) {
  const std::string path = test_dir() + "/short.safetensors";
  write_bytes(path, "abc");
  EXPECT_THAT([&] { load_tensors(path); },
              ThrowsMessage<Error>(HasSubstr("load_tensors: '" + path + "': the file is 3 bytes, too short")));
}

}  // namespace
}  // namespace nabla::checkpoint
