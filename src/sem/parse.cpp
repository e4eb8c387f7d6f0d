// src/sem/parse.cpp -- the lavaan syntax subset (sem/model.hpp, parse_syntax).
//
// 1. Comments (`#`, `!`) are removed; statements are split at newlines and `;`. A statement that
//    ends with an operator or `+` (or a line that starts with `+`) continues on the next line.
// 2. Tokens: identifiers [A-Za-z_.][A-Za-z0-9_.]*, numbers, `*`, `+`, `(`, `)`, `,`, and the
//    operators `=~`, `~~`, `~` (longest match).
// 3. statement := lhs ('+' lhs)* op term ('+' term)*;  term := (modifier '*')* (name | '1');
//    modifier := number (fixed value) | NA (free) | label | start(number) | c(e, ...) with e a number, NA
//    or a label: one modifier per group (ParRow::group_label / group_value; multigroup.hpp).
//    `y ~ 1` (or `y ~ a*1`) is an intercept row.
// Errors name the 1-based line of the statement and the offending token.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/sem/model.hpp"

namespace hetmod::sem {

const char* op_string(Op op) {
  switch (op) {
    case Op::loading: return "=~";
    case Op::regression: return "~";
    case Op::covariance: return "~~";
    case Op::intercept: return "~1";
  }
  return "?";
}

namespace {

constexpr const char* kFn = "sem::parse_syntax";

enum class Tok { ident, number, star, plus, lpar, rpar, comma, op };

struct Token {
  Tok kind;
  std::string text;
};

[[noreturn]] void parse_error(int line, const std::string& what, const std::string& stmt) {
  check::fail(kFn, "line " + std::to_string(line) + ": " + what + " in '" + stmt + "'");
}

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

std::vector<Token> tokenize(const std::string& s, int line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '=' && i + 1 < s.size() && s[i + 1] == '~') {
      out.push_back({Tok::op, "=~"});
      i += 2;
    } else if (c == '~' && i + 1 < s.size() && s[i + 1] == '~') {
      out.push_back({Tok::op, "~~"});
      i += 2;
    } else if (c == '~') {
      out.push_back({Tok::op, "~"});
      ++i;
    } else if (c == '*') {
      out.push_back({Tok::star, "*"});
      ++i;
    } else if (c == '+') {
      out.push_back({Tok::plus, "+"});
      ++i;
    } else if (c == '(') {
      out.push_back({Tok::lpar, "("});
      ++i;
    } else if (c == ')') {
      out.push_back({Tok::rpar, ")"});
      ++i;
    } else if (c == ',') {
      out.push_back({Tok::comma, ","});
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '.') && i + 1 < s.size() && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.'))) {
      const char* begin = s.c_str() + i;
      char* end = nullptr;
      std::strtod(begin, &end);
      if (end == begin) parse_error(line, "bad number", s);
      out.push_back({Tok::number, std::string(begin, static_cast<std::size_t>(end - begin))});
      i += static_cast<std::size_t>(end - begin);
    } else if (ident_start(c)) {
      std::size_t j = i + 1;
      while (j < s.size() && ident_char(s[j])) ++j;
      out.push_back({Tok::ident, s.substr(i, j - i)});
      i = j;
    } else if (c == '=' || c == '<' || c == '>' || c == ':') {
      std::string opx(1, c);
      if (i + 1 < s.size() && (s[i + 1] == '=' || s[i + 1] == '~')) opx += s[i + 1];
      parse_error(line, "unsupported operator '" + opx + "'", s);
    } else {
      parse_error(line, std::string("unexpected character '") + c + "'", s);
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

bool ends_open(const std::string& s) {
  if (s.empty()) return false;
  const char c = s.back();
  return c == '+' || c == '~' || c == '*' || c == ',' || c == '(';
}

struct Statement {
  std::string text;
  int line;
};

std::vector<Statement> split_statements(const std::string& syntax) {
  std::vector<Statement> out;
  std::string pending;
  int pending_line = 0;
  int line = 1;
  std::size_t pos = 0;
  while (pos <= syntax.size()) {
    std::size_t nl = syntax.find('\n', pos);
    if (nl == std::string::npos) nl = syntax.size();
    std::string text = syntax.substr(pos, nl - pos);
    const std::size_t hash = text.find_first_of("#!");
    if (hash != std::string::npos) text = text.substr(0, hash);
    // split at ';'
    std::size_t a = 0;
    while (true) {
      const std::size_t semi = text.find(';', a);
      const std::string piece = trim(text.substr(a, semi == std::string::npos ? std::string::npos : semi - a));
      if (!piece.empty()) {
        if (!pending.empty() && (ends_open(pending) || piece[0] == '+')) {
          pending += " " + piece;
        } else {
          if (!pending.empty()) out.push_back({pending, pending_line});
          pending = piece;
          pending_line = line;
        }
      }
      if (semi == std::string::npos) break;
      // an explicit ';' closes the statement
      if (!pending.empty() && !ends_open(pending)) {
        out.push_back({pending, pending_line});
        pending.clear();
      }
      a = semi + 1;
    }
    ++line;
    pos = nl + 1;
  }
  if (!pending.empty()) out.push_back({pending, pending_line});
  return out;
}

double to_number(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

void parse_statement(const Statement& st, std::vector<ParRow>& rows) {
  const std::vector<Token> toks = tokenize(st.text, st.line);
  const auto fail_tok = [&](std::size_t k, const std::string& what) {
    if (k >= toks.size()) parse_error(st.line, what + " at the end of the statement", st.text);
    parse_error(st.line, what + " '" + toks[k].text + "'", st.text);
  };
  // find the operator
  std::size_t opk = toks.size();
  for (std::size_t k = 0; k < toks.size(); ++k) {
    if (toks[k].kind == Tok::op) {
      if (opk != toks.size()) fail_tok(k, "second operator");
      opk = k;
    }
  }
  if (opk == toks.size()) parse_error(st.line, "no operator (=~, ~, ~~)", st.text);
  const std::string opt = toks[opk].text;
  // left-hand sides
  std::vector<std::string> lhs;
  for (std::size_t k = 0; k < opk; ++k) {
    if ((k % 2) == 0) {
      if (toks[k].kind != Tok::ident) fail_tok(k, "unexpected token");
      lhs.push_back(toks[k].text);
    } else if (toks[k].kind != Tok::plus) {
      fail_tok(k, "unexpected token");
    }
  }
  if (lhs.empty()) parse_error(st.line, "missing left-hand side of '" + opt + "'", st.text);
  if (opk % 2 == 0) fail_tok(opk - 1, "unexpected token");
  // right-hand side terms
  std::size_t k = opk + 1;
  if (k >= toks.size()) parse_error(st.line, "missing right-hand side of '" + opt + "'", st.text);
  while (k < toks.size()) {
    ParRow row;
    row.line = st.line;
    bool have_fixed = false;
    bool have_start = false;
    double start = 0;
    // modifiers
    while (true) {
      if (k >= toks.size()) fail_tok(k, "missing variable");
      // start(number)
      if (toks[k].kind == Tok::ident && toks[k].text == "start" && k + 1 < toks.size() && toks[k + 1].kind == Tok::lpar) {
        if (k + 3 >= toks.size() || toks[k + 2].kind != Tok::number || toks[k + 3].kind != Tok::rpar)
          fail_tok(k, "malformed start()");
        start = to_number(toks[k + 2].text);
        have_start = true;
        k += 4;
        if (k >= toks.size() || toks[k].kind != Tok::star) fail_tok(k, "expected '*' after start(), got");
        ++k;
        continue;
      }
      // c(e1, e2, ...) : one modifier per group (numbers / NA, or labels)
      if (toks[k].kind == Tok::ident && toks[k].text == "c" && k + 1 < toks.size() && toks[k + 1].kind == Tok::lpar) {
        std::size_t j = k + 2;
        std::vector<std::string> labels;
        std::vector<double> values;
        bool any_label = false, any_number = false;
        while (true) {
          if (j >= toks.size()) fail_tok(j, "unterminated c(");
          const Token& e = toks[j];
          if (e.kind == Tok::number) {
            any_number = true;
            values.push_back(to_number(e.text));
            labels.emplace_back();
          } else if (e.kind == Tok::ident && e.text == "NA") {
            values.push_back(std::nan(""));
            labels.emplace_back();
          } else if (e.kind == Tok::ident) {
            any_label = true;
            labels.push_back(e.text);
            values.push_back(std::nan(""));
          } else {
            fail_tok(j, "unexpected token in c()");
          }
          ++j;
          if (j < toks.size() && toks[j].kind == Tok::comma) {
            ++j;
            continue;
          }
          if (j < toks.size() && toks[j].kind == Tok::rpar) break;
          fail_tok(j, "expected ',' or ')' in c(), got");
        }
        if (any_label && any_number) fail_tok(k, "c() mixes numbers and labels in");
        if (!row.group_label.empty() || !row.group_value.empty()) fail_tok(k, "second c() modifier");
        if (any_label) {
          row.group_label = labels;
        } else {
          row.group_value = values;
          have_fixed = any_number;
        }
        k = j + 1;
        if (k >= toks.size() || toks[k].kind != Tok::star) fail_tok(k, "expected '*' after c(), got");
        ++k;
        continue;
      }
      if (k + 1 < toks.size() && toks[k + 1].kind == Tok::star) {
        if (toks[k].kind == Tok::number) {
          row.free = false;
          row.value = to_number(toks[k].text);
          have_fixed = true;
        } else if (toks[k].kind == Tok::ident && toks[k].text == "NA") {
          row.na_free = true;
        } else if (toks[k].kind == Tok::ident) {
          if (!row.label.empty()) fail_tok(k, "second label");
          row.label = toks[k].text;
        } else {
          fail_tok(k, "unexpected modifier");
        }
        k += 2;
        continue;
      }
      break;
    }
    if (k >= toks.size()) fail_tok(k, "missing variable");
    const Token& v = toks[k];
    bool intercept = false;
    if (v.kind == Tok::number) {
      if (opt == "~" && to_number(v.text) == 1.0 && v.text.find_first_not_of("1.0") == std::string::npos) {
        intercept = true;
      } else {
        fail_tok(k, "expected a variable name, got");
      }
    } else if (v.kind != Tok::ident) {
      fail_tok(k, "expected a variable name, got");
    }
    if (have_fixed && row.na_free) fail_tok(k, "both a fixed value and NA for");
    if (have_start && !have_fixed) row.value = start;
    ++k;
    if (k < toks.size()) {
      if (toks[k].kind != Tok::plus) fail_tok(k, "unexpected token");
      ++k;
      if (k >= toks.size()) parse_error(st.line, "dangling '+'", st.text);
    }
    for (const auto& l : lhs) {
      ParRow r = row;
      r.lhs = l;
      if (intercept) {
        r.op = Op::intercept;
        r.rhs.clear();
      } else {
        r.rhs = v.text;
        r.op = opt == "=~" ? Op::loading : opt == "~~" ? Op::covariance : Op::regression;
        if (r.op != Op::covariance && r.lhs == r.rhs)
          parse_error(st.line, "variable '" + l + "' on both sides of '" + opt + "'", st.text);
      }
      rows.push_back(r);
    }
  }
}

}  // namespace

std::vector<ParRow> parse_syntax(const std::string& syntax) {
  std::vector<ParRow> rows;
  for (const auto& st : split_statements(syntax)) parse_statement(st, rows);
  check::require(!rows.empty(), kFn, "the model syntax contains no statement");
  return rows;
}

}  // namespace hetmod::sem
