#include "hetmod/core/result.hpp"

#include <cstring>

#include "hetmod/core/check.hpp"

namespace hetmod {
namespace {

constexpr char kMagic[8] = {'H', 'E', 'T', 'M', 'O', 'D', 'F', 'R'};

class Writer {
 public:
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void u32(uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    raw(b, 4);
  }
  void u64(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    raw(b, 8);
  }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f64(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    u64(u);
  }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void vec(const std::vector<double>& v) {
    u64(v.size());
    for (double x : v) f64(x);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  void need(uint64_t n) {
    if (n > s_.size() - pos_) check::fail("fit_deserialize", "the serialised fit is truncated or corrupt");
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  double f64() {
    uint64_t u = u64();
    double v;
    std::memcpy(&v, &u, 8);
    return v;
  }
  std::string str() {
    uint64_t n = u64();
    need(n);
    std::string out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::vector<double> vec() {
    uint64_t n = u64();
    if (n > (s_.size() - pos_) / 8) check::fail("fit_deserialize", "the serialised fit is truncated or corrupt");
    std::vector<double> v(n);
    for (auto& x : v) x = f64();
    return v;
  }
  uint64_t count(uint64_t min_bytes_each) {
    uint64_t n = u64();
    if (min_bytes_each > 0 && n > (s_.size() - pos_) / min_bytes_each)
      check::fail("fit_deserialize", "the serialised fit is truncated or corrupt");
    return n;
  }
  bool at_end() const { return pos_ == s_.size(); }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

std::string serialize(const FitResult& fit) {
  Writer w;
  w.raw(kMagic, 8);
  w.u32(kFitFormatVersion);
  w.str(fit.family);
  w.str(fit.model);
  w.u64(fit.coef_names.size());
  for (const auto& s : fit.coef_names) w.str(s);
  w.vec(fit.coef);
  w.vec(fit.vcov);
  w.f64(fit.loglik);
  w.i64(fit.df);
  w.i64(fit.nobs);
  const Convergence& c = fit.convergence;
  w.u32(c.converged ? 1u : 0u);
  w.i64(c.code);
  w.str(c.optimizer);
  w.str(c.reason);
  w.i64(c.iterations);
  w.f64(c.grad_norm);
  w.f64(c.objective);
  w.u64(fit.extras.size());
  for (const auto& kv : fit.extras) {
    w.str(kv.first);
    w.vec(kv.second);
  }
  w.u64(fit.notes.size());
  for (const auto& kv : fit.notes) {
    w.str(kv.first);
    w.str(kv.second);
  }
  return w.take();
}

FitResult deserialize(const std::string& bytes) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    check::fail("fit_deserialize", "the bytes are not a serialised hetmod fit (bad magic)");
  Reader r(bytes);
  r.u32();  // the 8 magic bytes, checked above
  r.u32();
  uint32_t version = r.u32();
  if (version == 0 || version > kFitFormatVersion)
    check::fail("fit_deserialize", "format version " + std::to_string(version) +
                                       " is not supported (this build reads versions 1.." +
                                       std::to_string(kFitFormatVersion) + ")");
  FitResult f;
  f.family = r.str();
  f.model = r.str();
  uint64_t nn = r.count(8);
  f.coef_names.reserve(nn);
  for (uint64_t i = 0; i < nn; ++i) f.coef_names.push_back(r.str());
  f.coef = r.vec();
  f.vcov = r.vec();
  f.loglik = r.f64();
  f.df = r.i64();
  f.nobs = r.i64();
  Convergence& c = f.convergence;
  c.converged = r.u32() != 0;
  c.code = static_cast<int>(r.i64());
  c.optimizer = r.str();
  c.reason = r.str();
  c.iterations = static_cast<int>(r.i64());
  c.grad_norm = r.f64();
  c.objective = r.f64();
  uint64_t ne = r.count(16);
  for (uint64_t i = 0; i < ne; ++i) {
    std::string k = r.str();
    f.extras[k] = r.vec();
  }
  uint64_t nt = r.count(16);
  for (uint64_t i = 0; i < nt; ++i) {
    std::string k = r.str();
    f.notes[k] = r.str();
  }
  if (!r.at_end()) check::fail("fit_deserialize", "trailing bytes after the serialised fit");
  if (f.coef.size() != f.coef_names.size() || (!f.vcov.empty() && f.vcov.size() != f.coef.size() * f.coef.size()))
    check::fail("fit_deserialize", "inconsistent coefficient and covariance sizes in the serialised fit");
  return f;
}

}  // namespace hetmod
