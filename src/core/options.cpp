#include "hetmod/core/options.hpp"

#include <cmath>

#include "hetmod/core/check.hpp"

namespace hetmod {

void Options::set(const std::string& key, double value) {
  Value v;
  v.kind = 0;
  v.number = value;
  values_[key] = std::move(v);
}
void Options::set(const std::string& key, const std::string& value) {
  Value v;
  v.kind = 1;
  v.text = value;
  values_[key] = std::move(v);
}
void Options::set(const std::string& key, std::vector<double> value) {
  Value v;
  v.kind = 2;
  v.vec = std::move(value);
  values_[key] = std::move(v);
}
bool Options::has(const std::string& key) const { return values_.count(key) > 0; }
void Options::erase(const std::string& key) { values_.erase(key); }

const Options::Value* Options::find(const std::string& key, int kind) const {
  auto it = values_.find(key);
  if (it == values_.end()) return nullptr;
  if (it->second.kind != kind) {
    static const char* names[] = {"a number", "a string", "a numeric vector"};
    check::fail("options", "option '" + key + "' must be " + names[kind] + ", but is " + names[it->second.kind]);
  }
  return &it->second;
}

double Options::get_double(const std::string& key, double dflt) const {
  const Value* v = find(key, 0);
  return v ? v->number : dflt;
}
int64_t Options::get_int(const std::string& key, int64_t dflt) const {
  const Value* v = find(key, 0);
  if (!v) return dflt;
  if (!std::isfinite(v->number) || v->number != std::floor(v->number) || std::fabs(v->number) > 9.0e15)
    check::fail("options", "option '" + key + "' is " + check::fmt(v->number) + ", but must be an integer");
  return static_cast<int64_t>(v->number);
}
bool Options::get_bool(const std::string& key, bool dflt) const {
  const Value* v = find(key, 0);
  return v ? v->number != 0 : dflt;
}
std::string Options::get_string(const std::string& key, const std::string& dflt) const {
  const Value* v = find(key, 1);
  return v ? v->text : dflt;
}
std::vector<double> Options::get_vector(const std::string& key, const std::vector<double>& dflt) const {
  auto it = values_.find(key);
  if (it != values_.end() && it->second.kind == 0) return {it->second.number};
  const Value* v = find(key, 2);
  return v ? v->vec : dflt;
}
std::vector<std::string> Options::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : values_) out.push_back(kv.first);
  return out;
}

}  // namespace hetmod
