// src/sem/model.cpp -- parameter table completion (lavaan defaults) and the RAM layout.
//
// 1. Variable classes (lavaan lav_partable_vnames): lv = lhs of =~; v.ind = rhs of =~;
//    eqs.y = lhs of ~, eqs.x = rhs of ~; ov order = ov.ind, ov.y, ov.x, then others.
//    ov.x = eqs.x that are not latent, not indicators and not dependent, minus those with a user
//    ~~ or ~1 row (those become random); only when fixed_x.
// 2. Defaults (lav_partable_flat): marker loading = 1 (first indicator; NA* frees it) or, with
//    std_lv, latent variances = 1; variances of every non-x observed and every latent; covariances
//    among exogenous latents (lv.x: not indicators, not dependent); covariances among dependent
//    variables that are not predictors (auto.cov.y); fixed x block (exo rows, filled at fit time);
//    intercepts with a mean structure (observed free, latent fixed at 0, x exo).
// 3. Free parameters are numbered in table order; rows sharing a label share the number.
// 4. RAM: observed variables first, then latents; loading f =~ x -> A[x, f], regression y ~ x ->
//    A[y, x], a ~~ b -> S[a, b] = S[b, a], y ~ 1 -> M[y].
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/sem/loglik.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

namespace {

constexpr const char* kFn = "sem::make_model";

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
void push_unique(std::vector<std::string>& v, const std::string& s) {
  if (!contains(v, s)) v.push_back(s);
}

std::string row_key(const ParRow& r) {
  std::string a = r.lhs, b = r.rhs;
  if (r.op == Op::covariance && b < a) std::swap(a, b);
  return std::to_string(r.group) + "|" + a + "|" + op_string(r.op) + "|" + b;
}

std::string row_text(const ParRow& r) {
  if (r.op == Op::intercept) return r.lhs + " ~ 1";
  return r.lhs + " " + op_string(r.op) + " " + r.rhs;
}

ParRow default_row(const std::string& lhs, Op op, const std::string& rhs, bool free, double value) {
  ParRow r;
  r.lhs = lhs;
  r.op = op;
  r.rhs = rhs;
  r.free = free;
  r.value = free ? std::numeric_limits<double>::quiet_NaN() : value;
  r.user = false;
  return r;
}

}  // namespace

int Model::var_index(const std::string& name) const {
  for (std::size_t i = 0; i < observed.size(); ++i)
    if (observed[i] == name) return static_cast<int>(i);
  for (std::size_t i = 0; i < latent.size(); ++i)
    if (latent[i] == name) return static_cast<int>(observed.size() + i);
  return -1;
}

Model make_model(const std::string& syntax, const ModelOptions& opt) { return make_model(parse_syntax(syntax), opt); }

Model make_model(std::vector<ParRow> user_rows, const ModelOptions& opt) {
  check::require(!user_rows.empty(), kFn, "the parameter table is empty");
  // c(...) modifiers (multigroup syntax): a single group takes a one-element vector
  for (auto& r : user_rows) {
    for (const std::size_t len : {r.group_label.size(), r.group_value.size()}) {
      if (len > 1)
        check::fail(kFn, "line " + std::to_string(r.line) + ": the modifier c(...) of '" + r.lhs + " " + op_string(r.op) + " " + r.rhs +
                             "' has " + std::to_string(len) + " elements, but the model has 1 group");
    }
    if (r.group_label.size() == 1) r.label = r.group_label[0];
    if (r.group_value.size() == 1) {
      r.free = std::isnan(r.group_value[0]);
      r.value = r.group_value[0];
      r.na_free = r.free;
    }
    r.group_label.clear();
    r.group_value.clear();
  }
  // duplicates
  {
    std::map<std::string, int> seen;
    for (const auto& r : user_rows) {
      check::require(!r.lhs.empty(), kFn, "a row has an empty left-hand side");
      check::require(r.op == Op::intercept || !r.rhs.empty(), kFn, "row '" + r.lhs + " " + op_string(r.op) + "' has no right-hand side");
      const std::string key = row_key(r);
      auto it = seen.find(key);
      if (it != seen.end())
        check::fail(kFn, "duplicated specification '" + row_text(r) + "' (lines " + std::to_string(it->second) + " and " +
                             std::to_string(r.line) + ")");
      seen[key] = r.line;
    }
  }
  Model model;
  // 1. variable classes
  std::vector<std::string> lv, vind, eqs_y, eqs_x;
  for (const auto& r : user_rows) {
    if (r.op == Op::loading) {
      push_unique(lv, r.lhs);
      push_unique(vind, r.rhs);
    } else if (r.op == Op::regression) {
      push_unique(eqs_y, r.lhs);
      push_unique(eqs_x, r.rhs);
    }
  }
  std::vector<std::string> ov_ind, ov_y, ov_x, ov;
  for (const auto& v : vind)
    if (!contains(lv, v)) ov_ind.push_back(v);
  for (const auto& v : eqs_y)
    if (!contains(lv, v) && !contains(ov_ind, v)) ov_y.push_back(v);
  for (const auto& v : eqs_x)
    if (!contains(lv, v) && !contains(ov_ind, v) && !contains(ov_y, v)) ov_x.push_back(v);
  ov = ov_ind;
  for (const auto& v : ov_y) push_unique(ov, v);
  for (const auto& v : ov_x) push_unique(ov, v);
  for (const auto& r : user_rows) {
    if (r.op == Op::covariance || r.op == Op::intercept) {
      if (!contains(lv, r.lhs)) push_unique(ov, r.lhs);
      if (r.op == Op::covariance && !contains(lv, r.rhs)) push_unique(ov, r.rhs);
    }
  }
  // fixed x: exogenous observed without user (co)variance or intercept rows
  std::vector<std::string> fx;
  if (opt.fixed_x && opt.auto_defaults) {
    for (const auto& v : ov_x) {
      bool user_spec = false;
      for (const auto& r : user_rows)
        if ((r.op == Op::covariance && (r.lhs == v || r.rhs == v)) || (r.op == Op::intercept && r.lhs == v)) user_spec = true;
      if (!user_spec) fx.push_back(v);
    }
  }
  bool means = opt.meanstructure;
  for (const auto& r : user_rows)
    if (r.op == Op::intercept) means = true;

  model.observed = ov;
  model.latent = lv;
  model.meanstructure = means;

  std::vector<ParRow> rows = user_rows;
  for (auto& r : rows) r.user = true;
  std::set<std::string> present;
  for (const auto& r : rows) present.insert(row_key(r));
  auto add = [&](ParRow r) {
    if (present.insert(row_key(r)).second) rows.push_back(std::move(r));
  };

  if (opt.auto_defaults) {
    // 2a. scaling of the latent variables
    for (const auto& f : lv) {
      if (opt.std_lv) continue;
      for (auto& r : rows) {
        if (r.op == Op::loading && r.lhs == f) {
          if (r.free && !r.na_free) {
            r.free = false;
            r.value = 1.0;
          }
          break;
        }
      }
    }
    // 2b. variances
    for (const auto& v : ov)
      if (!contains(fx, v)) add(default_row(v, Op::covariance, v, true, 0));
    for (const auto& f : lv) add(default_row(f, Op::covariance, f, !opt.std_lv, 1.0));
    // 2c. covariances among exogenous latents
    std::vector<std::string> lv_x, lvov_y;
    for (const auto& f : lv)
      if (!contains(vind, f) && !contains(eqs_y, f)) lv_x.push_back(f);
    if (opt.auto_cov_lv_x)
      for (std::size_t i = 0; i < lv_x.size(); ++i)
        for (std::size_t j = i + 1; j < lv_x.size(); ++j) add(default_row(lv_x[i], Op::covariance, lv_x[j], true, 0));
    // 2d. covariances among dependent variables that are not predictors (lv.y, then ov.y)
    for (const auto& f : lv)
      if (contains(eqs_y, f) && !contains(vind, f) && !contains(eqs_x, f)) lvov_y.push_back(f);
    for (const auto& v : ov)
      if (contains(eqs_y, v) && !contains(vind, v) && !contains(eqs_x, v) && !contains(lv, v)) lvov_y.push_back(v);
    if (opt.auto_cov_y)
      for (std::size_t i = 0; i < lvov_y.size(); ++i)
        for (std::size_t j = i + 1; j < lvov_y.size(); ++j) add(default_row(lvov_y[i], Op::covariance, lvov_y[j], true, 0));
    // 2e. fixed x block
    for (std::size_t i = 0; i < fx.size(); ++i)
      for (std::size_t j = i; j < fx.size(); ++j) {
        ParRow r = default_row(fx[i], Op::covariance, fx[j], false, std::numeric_limits<double>::quiet_NaN());
        r.exo = true;
        add(r);
      }
    // 2f. intercepts
    if (means) {
      for (const auto& v : ov) {
        if (contains(fx, v)) {
          ParRow r = default_row(v, Op::intercept, "", false, std::numeric_limits<double>::quiet_NaN());
          r.exo = true;
          add(r);
        } else {
          add(default_row(v, Op::intercept, "", true, 0));
        }
      }
      for (const auto& f : lv) add(default_row(f, Op::intercept, "", false, 0.0));
    }
  }

  // validation of names
  for (const auto& f : lv) check::require(!contains(ov, f), kFn, "'" + f + "' is both latent and observed");
  for (const auto& r : rows) {
    if (r.op == Op::intercept) continue;
    if (r.op == Op::loading)
      check::require(contains(lv, r.lhs), kFn, "internal: loading on a non-latent");
  }
  // 3. free-parameter numbering, labels
  std::map<std::string, int> label_par;
  std::map<std::string, bool> label_fixed;
  int npar = 0;
  for (auto& r : rows) {
    if (!r.free) {
      if (!r.label.empty()) label_fixed[r.label] = true;
      r.par = -1;
      continue;
    }
    if (!r.label.empty()) {
      auto it = label_par.find(r.label);
      if (it != label_par.end()) {
        r.par = it->second;
        continue;
      }
      label_par[r.label] = npar;
    }
    r.par = npar++;
    std::string name = r.label.empty() ? (r.op == Op::intercept ? r.lhs + "~1" : r.lhs + op_string(r.op) + r.rhs) : r.label;
    model.par_names.push_back(name);
  }
  for (const auto& lf : label_fixed)
    check::require(label_par.find(lf.first) == label_par.end(), kFn,
                   "label '" + lf.first + "' is used on both fixed and free parameters");
  model.rows = std::move(rows);
  model.n_free = npar;
  check::require(model.p() > 0, kFn, "the model has no observed variables");
  for (const auto& f : lv) {
    bool has_ind = false;
    for (const auto& r : model.rows)
      if (r.op == Op::loading && r.lhs == f) has_ind = true;
    check::require(has_ind, kFn, "latent variable '" + f + "' has no indicators");
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// RAM
// ---------------------------------------------------------------------------------------------

namespace detail {

RamStructure ram_structure(const Model& model) {
  RamStructure ram;
  ram.p = model.p();
  ram.m = model.m();
  ram.npar = model.n_free;
  ram.means = model.meanstructure;
  for (const auto& r : model.rows) {
    Cell c;
    c.par = r.par;
    c.value = r.value;
    const int l = model.var_index(r.lhs);
    check::require(l >= 0, "sem::ram_structure", "unknown variable '" + r.lhs + "'");
    switch (r.op) {
      case Op::loading: {
        const int x = model.var_index(r.rhs);
        check::require(x >= 0, "sem::ram_structure", "unknown variable '" + r.rhs + "'");
        c.mat = mat_a;
        c.row = x;
        c.col = l;
        break;
      }
      case Op::regression: {
        const int x = model.var_index(r.rhs);
        check::require(x >= 0, "sem::ram_structure", "unknown variable '" + r.rhs + "'");
        c.mat = mat_a;
        c.row = l;
        c.col = x;
        break;
      }
      case Op::covariance: {
        const int x = model.var_index(r.rhs);
        check::require(x >= 0, "sem::ram_structure", "unknown variable '" + r.rhs + "'");
        c.mat = mat_s;
        c.row = l;
        c.col = x;
        break;
      }
      case Op::intercept:
        c.mat = mat_m;
        c.row = l;
        c.col = 0;
        if (!ram.means) continue;
        break;
    }
    ram.cells.push_back(c);
  }
  return ram;
}

}  // namespace detail

RamSpec ram_matrices(const Model& model, const std::vector<double>& theta) {
  const char* fn = "sem::ram_matrices";
  if (!theta.empty()) check::same_size(fn, "theta", static_cast<int64_t>(theta.size()), model.n_free);
  const detail::RamStructure ram = detail::ram_structure(model);
  const int m = ram.m;
  RamSpec out;
  out.names = model.observed;
  out.names.insert(out.names.end(), model.latent.begin(), model.latent.end());
  out.latent.assign(static_cast<std::size_t>(m), false);
  for (int i = model.p(); i < m; ++i) out.latent[static_cast<std::size_t>(i)] = true;
  const std::size_t mm = static_cast<std::size_t>(m) * static_cast<std::size_t>(m);
  out.A.assign(mm, 0.0);
  out.S.assign(mm, 0.0);
  out.A_par.assign(mm, -1);
  out.S_par.assign(mm, -1);
  if (ram.means) {
    out.M.assign(static_cast<std::size_t>(m), 0.0);
    out.M_par.assign(static_cast<std::size_t>(m), -1);
  }
  // start values of free rows (used when theta is empty)
  std::vector<double> start(static_cast<std::size_t>(model.n_free), std::numeric_limits<double>::quiet_NaN());
  for (const auto& r : model.rows)
    if (r.par >= 0 && std::isfinite(r.value)) start[static_cast<std::size_t>(r.par)] = r.value;
  for (const auto& c : ram.cells) {
    const double v = c.par >= 0 ? (theta.empty() ? start[static_cast<std::size_t>(c.par)] : theta[static_cast<std::size_t>(c.par)]) : c.value;
    const std::size_t ij = static_cast<std::size_t>(c.row) + static_cast<std::size_t>(c.col) * static_cast<std::size_t>(m);
    const std::size_t ji = static_cast<std::size_t>(c.col) + static_cast<std::size_t>(c.row) * static_cast<std::size_t>(m);
    if (c.mat == detail::mat_a) {
      out.A[ij] = v;
      out.A_par[ij] = c.par;
    } else if (c.mat == detail::mat_s) {
      out.S[ij] = out.S[ji] = v;
      out.S_par[ij] = out.S_par[ji] = c.par;
    } else {
      out.M[static_cast<std::size_t>(c.row)] = v;
      out.M_par[static_cast<std::size_t>(c.row)] = c.par;
    }
  }
  return out;
}

Model model_from_ram(const RamSpec& ram) {
  const char* fn = "sem::model_from_ram";
  const std::size_t m = ram.names.size();
  check::require(m > 0, fn, "names is empty");
  check::same_size(fn, "latent", static_cast<int64_t>(ram.latent.size()), static_cast<int64_t>(m));
  check::same_size(fn, "A", static_cast<int64_t>(ram.A.size()), static_cast<int64_t>(m * m));
  check::same_size(fn, "S", static_cast<int64_t>(ram.S.size()), static_cast<int64_t>(m * m));
  const bool has_apar = !ram.A_par.empty(), has_spar = !ram.S_par.empty();
  if (has_apar) check::same_size(fn, "A_par", static_cast<int64_t>(ram.A_par.size()), static_cast<int64_t>(m * m));
  if (has_spar) check::same_size(fn, "S_par", static_cast<int64_t>(ram.S_par.size()), static_cast<int64_t>(m * m));
  const bool means = !ram.M.empty();
  if (means) check::same_size(fn, "M", static_cast<int64_t>(ram.M.size()), static_cast<int64_t>(m));
  if (means && !ram.M_par.empty()) check::same_size(fn, "M_par", static_cast<int64_t>(ram.M_par.size()), static_cast<int64_t>(m));
  {
    std::set<std::string> names(ram.names.begin(), ram.names.end());
    check::require(names.size() == m, fn, "names are not unique");
  }
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      check::finite(fn, "A", ram.A[i + j * m]);
      check::finite(fn, "S", ram.S[i + j * m]);
      if (has_spar) check::require(ram.S_par[i + j * m] == ram.S_par[j + i * m], fn, "S_par is not symmetric");
      check::require(ram.S[i + j * m] == ram.S[j + i * m], fn, "S is not symmetric");
    }
  std::vector<ParRow> rows;
  auto label_of = [](int par) { return par >= 0 ? "p" + std::to_string(par + 1) : std::string(); };
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      const int par = has_apar ? ram.A_par[i + j * m] : -1;
      const double v = ram.A[i + j * m];
      if (par < 0 && v == 0.0) continue;
      check::require(i != j, fn, "A has a self-loop at '" + ram.names[i] + "'");
      ParRow r;
      if (ram.latent[j]) {
        r.lhs = ram.names[j];
        r.op = Op::loading;
        r.rhs = ram.names[i];
      } else {
        r.lhs = ram.names[i];
        r.op = Op::regression;
        r.rhs = ram.names[j];
      }
      r.free = par >= 0;
      r.value = v;
      r.label = label_of(par);
      rows.push_back(r);
    }
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i <= j; ++i) {
      const int par = has_spar ? ram.S_par[i + j * m] : -1;
      const double v = ram.S[i + j * m];
      if (par < 0 && v == 0.0 && i != j) continue;
      ParRow r;
      r.lhs = ram.names[i];
      r.op = Op::covariance;
      r.rhs = ram.names[j];
      r.free = par >= 0;
      r.value = v;
      r.label = label_of(par);
      rows.push_back(r);
    }
  if (means)
    for (std::size_t i = 0; i < m; ++i) {
      const int par = ram.M_par.empty() ? -1 : ram.M_par[i];
      ParRow r;
      r.lhs = ram.names[i];
      r.op = Op::intercept;
      r.free = par >= 0;
      r.value = ram.M[i];
      r.label = label_of(par);
      rows.push_back(r);
    }
  ModelOptions mo;
  mo.auto_defaults = false;
  mo.meanstructure = means;
  // observed order = their order in names; latents after.
  Model model = make_model(rows, mo);
  std::vector<std::string> obs, lat;
  for (std::size_t i = 0; i < m; ++i) (ram.latent[i] ? lat : obs).push_back(ram.names[i]);
  check::require(!obs.empty(), fn, "no observed variable");
  model.observed = obs;
  model.latent = lat;
  // parameter numbering follows the RAM indices (labels "p<k+1>"); they must be 0..K-1 without gaps
  int npar = 0;
  for (const auto& r : model.rows)
    if (r.free) npar = std::max(npar, std::stoi(r.label.substr(1)));
  std::vector<std::string> names(static_cast<std::size_t>(npar));
  for (auto& r : model.rows) {
    if (!r.free) continue;
    r.par = std::stoi(r.label.substr(1)) - 1;
    auto& nm = names[static_cast<std::size_t>(r.par)];
    if (nm.empty()) nm = r.op == Op::intercept ? r.lhs + "~1" : r.lhs + op_string(r.op) + r.rhs;
  }
  for (int k = 0; k < npar; ++k)
    check::require(!names[static_cast<std::size_t>(k)].empty(), fn,
                   "free-parameter indices must be 0.." + std::to_string(npar - 1) + " without gaps; " + std::to_string(k) + " is unused");
  model.par_names = names;
  model.n_free = npar;
  return model;
}

// ---------------------------------------------------------------------------------------------
// Graphs
// ---------------------------------------------------------------------------------------------

Graph make_graph(int n, const std::vector<std::pair<int, int>>& directed, const std::vector<std::pair<int, int>>& bidirected,
                 std::vector<std::string> names) {
  const char* fn = "sem::make_graph";
  check::require(n >= 1, fn, "n is " + std::to_string(n) + ", but must be >= 1");
  Graph g;
  g.n = n;
  if (names.empty())
    for (int i = 0; i < n; ++i) names.push_back(std::to_string(i + 1));
  check::same_size(fn, "names", static_cast<int64_t>(names.size()), n);
  g.names = std::move(names);
  std::set<std::pair<int, int>> seen;
  for (const auto& e : directed) {
    check::require(e.first >= 0 && e.first < n && e.second >= 0 && e.second < n, fn,
                   "directed edge (" + std::to_string(e.first) + ", " + std::to_string(e.second) + ") is out of range");
    check::require(e.first != e.second, fn, "directed self-loop at node " + std::to_string(e.first));
    check::require(seen.insert(e).second, fn, "duplicated directed edge (" + std::to_string(e.first) + ", " + std::to_string(e.second) + ")");
    g.directed.push_back(e);
  }
  seen.clear();
  for (auto e : bidirected) {
    check::require(e.first >= 0 && e.first < n && e.second >= 0 && e.second < n, fn,
                   "bidirected edge (" + std::to_string(e.first) + ", " + std::to_string(e.second) + ") is out of range");
    check::require(e.first != e.second, fn, "bidirected self-edge at node " + std::to_string(e.first) + " (variances are implicit)");
    if (e.first > e.second) std::swap(e.first, e.second);
    check::require(seen.insert(e).second, fn, "duplicated bidirected edge (" + std::to_string(e.first) + ", " + std::to_string(e.second) + ")");
    g.bidirected.push_back(e);
  }
  return g;
}

Graph model_graph(const Model& model) {
  const detail::RamStructure ram = detail::ram_structure(model);
  std::vector<std::pair<int, int>> d, b;
  std::set<std::pair<int, int>> sd, sb;
  for (const auto& c : ram.cells) {
    if (c.mat == detail::mat_a && (c.par >= 0 || c.value != 0.0)) {
      if (sd.insert({c.col, c.row}).second) d.push_back({c.col, c.row});
    } else if (c.mat == detail::mat_s && c.row != c.col && (c.par >= 0 || c.value != 0.0)) {
      std::pair<int, int> e{std::min(c.row, c.col), std::max(c.row, c.col)};
      if (sb.insert(e).second) b.push_back(e);
    }
  }
  std::vector<std::string> names = model.observed;
  names.insert(names.end(), model.latent.begin(), model.latent.end());
  return make_graph(model.m(), d, b, names);
}

}  // namespace hetmod::sem
