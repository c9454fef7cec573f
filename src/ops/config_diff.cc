#include "ops/config_diff.h"

#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace vomsrepl::ops {
namespace {

// The node as TOML text (tables, arrays and values alike): two nodes are the
// same setting when their types and texts are.
std::string NodeText(const toml::node& n) {
  std::ostringstream out;
  n.visit([&](const auto& v) { out << v; });
  return std::to_string(int(n.type())) + ":" + out.str();
}

std::string ValueText(std::string_view key, const toml::node* n) {
  if (n == nullptr) return "(not set)";
  if (key.find("password") != std::string_view::npos) return "(set)";
  std::ostringstream out;
  if (n->is_table()) {
    out << "{...}";
  } else {
    n->visit([&](const auto& v) { out << v; });
  }
  std::string s = out.str();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// The keys of two tables whose values differ (sub-tables compared whole
// unless `into` names them: then key by key under "section.sub").
void DiffTables(const std::string& section, const toml::table* a, const toml::table* b, std::vector<std::string>* out,
                const std::set<std::string>& into = {}) {
  static const toml::table kEmpty;
  if (a == nullptr) a = &kEmpty;
  if (b == nullptr) b = &kEmpty;
  std::set<std::string> keys;
  for (const auto& [k, v] : *a) keys.insert(std::string(k.str()));
  for (const auto& [k, v] : *b) keys.insert(std::string(k.str()));
  for (const std::string& k : keys) {
    const toml::node* x = a->get(k);
    const toml::node* y = b->get(k);
    if (into.count(k) && (x == nullptr || x->is_table()) && (y == nullptr || y->is_table())) {
      DiffTables(section + "." + k, x ? x->as_table() : nullptr, y ? y->as_table() : nullptr, out);
      continue;
    }
    if (x != nullptr && y != nullptr && NodeText(*x) == NodeText(*y)) continue;
    const bool secret = k.find("password") != std::string::npos;
    out->push_back("[" + section + "] " + k + ": " +
                   (secret && x && y ? std::string("(changed)") : ValueText(k, x) + " -> " + ValueText(k, y)));
  }
}

const toml::table* TableAt(const toml::table& root, std::string_view key) {
  const toml::node* n = root.get(key);
  return n ? n->as_table() : nullptr;
}

std::map<std::string, const toml::table*> ReplicasByName(const toml::table& root) {
  std::map<std::string, const toml::table*> out;
  if (const toml::array* a = root.get_as<toml::array>("replica")) {
    for (const toml::node& r : *a) {
      const toml::table* t = r.as_table();
      if (t == nullptr) continue;
      out[t->get_as<std::string>("name") ? std::string(t->get_as<std::string>("name")->get()) : std::string()] = t;
    }
  }
  return out;
}

}  // namespace

Result<ConfigDiff> DiffConfigs(const Config& running, const Config& next) {
  toml::table a, b;
  try {
    a = toml::parse(running.text, running.path);
    b = toml::parse(next.text, next.path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config diff: " + std::string(e.description()));
  }
  ConfigDiff d;
  // The changed keys of one table pair, recorded under its flag (and as
  // needing a restart when `restart`).
  auto record = [&](const std::string& name, const toml::table* x, const toml::table* y, bool* flag, bool restart,
                    const std::set<std::string>& into = {}) {
    std::vector<std::string> lines;
    DiffTables(name, x, y, &lines, into);
    if (lines.empty()) return;
    if (flag) *flag = true;
    for (auto& l : lines) {
      if (restart) d.need_restart.push_back(l);
      d.lines.push_back(std::move(l));
    }
  };
  auto section = [&](const std::string& name, bool* flag, bool restart, const std::set<std::string>& into = {}) {
    record(name, TableAt(a, name), TableAt(b, name), flag, restart, into);
  };
  // Top-level keys (state_dir) need a restart.
  {
    toml::table top_a, top_b;
    for (const auto& [k, v] : a) if (!v.is_table() && !v.is_array_of_tables()) top_a.insert(k, v);
    for (const auto& [k, v] : b) if (!v.is_table() && !v.is_array_of_tables()) top_b.insert(k, v);
    record("top level", &top_a, &top_b, nullptr, true);
  }
  section("master", nullptr, true, {"tls"});
  section("journal", nullptr, true);
  section("http", nullptr, true);
  section("standby", nullptr, true);
  section("log", &d.log, false);
  section("apply", &d.apply, false);
  section("filter", &d.filter, false, {"rename"});
  section("replica_tls", &d.replica_tls, false);
  // Any other section (a new one a later version knows) needs a restart.
  std::set<std::string> known = {"master", "journal", "http", "standby", "log", "apply", "filter", "replica_tls", "replica"};
  std::set<std::string> others;
  for (const auto& [k, v] : a) if (v.is_table() && !known.count(std::string(k.str()))) others.insert(std::string(k.str()));
  for (const auto& [k, v] : b) if (v.is_table() && !known.count(std::string(k.str()))) others.insert(std::string(k.str()));
  for (const auto& o : others) section(o, nullptr, true);

  auto ra = ReplicasByName(a), rb = ReplicasByName(b);
  for (const auto& [name, t] : ra) {
    if (!rb.count(name)) {
      d.replicas_removed.push_back(name);
      d.lines.push_back("[[replica]] " + name + ": removed");
    }
  }
  for (const auto& [name, t] : rb) {
    auto old = ra.find(name);
    if (old == ra.end()) {
      d.replicas_added.push_back(name);
      d.lines.push_back("[[replica]] " + name + ": added");
      continue;
    }
    bool changed = false;
    record("replica " + name, old->second, t, &changed, false, {"tls"});
    if (changed) d.replicas_changed.push_back(name);
  }
  return d;
}

}  // namespace vomsrepl::ops
