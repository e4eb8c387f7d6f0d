// hetmod/core/options.hpp -- key/value options shared by every family and the C API.
//
// Options are set by key (never through public structs, DESIGN.md section 4). Values are numbers,
// strings or numeric vectors. Getters with a default return the default when the key is absent and
// throw Error(invalid_argument) when the key holds the wrong kind of value.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hetmod {

class Options {
 public:
  void set(const std::string& key, double value);
  void set(const std::string& key, const std::string& value);
  void set(const std::string& key, std::vector<double> value);
  bool has(const std::string& key) const;
  void erase(const std::string& key);

  double get_double(const std::string& key, double dflt) const;
  int64_t get_int(const std::string& key, int64_t dflt) const;  ///< value must be integral
  bool get_bool(const std::string& key, bool dflt) const;       ///< numbers: != 0
  std::string get_string(const std::string& key, const std::string& dflt) const;
  std::vector<double> get_vector(const std::string& key, const std::vector<double>& dflt) const;

  /// All keys that are set, in sorted order (families use it to reject unknown keys with a clear error).
  std::vector<std::string> keys() const;

 private:
  struct Value {
    int kind = 0;  // 0 number, 1 string, 2 vector
    double number = 0;
    std::string text;
    std::vector<double> vec;
  };
  const Value* find(const std::string& key, int kind) const;
  std::map<std::string, Value> values_;
};

}  // namespace hetmod
