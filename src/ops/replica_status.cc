#include "ops/replica_status.h"

#include <vomsrepl/json.h>

namespace vomsrepl::ops {

std::string_view ReplicaStateName(std::string_view s) {
  for (std::string_view name : kReplicaStates) {
    if (s.substr(0, name.size()) == name) return name;
  }
  return "starting";  // "waiting for the journal to reach seq N again ...", or nothing yet
}

ReplicaLag ComputeLag(const journal::Journal& journal, uint64_t applied_seq, int64_t now) {
  ReplicaLag lag;
  const uint64_t last = journal.last_seq();
  if (applied_seq >= last) {
    lag.seconds = 0;
    return lag;
  }
  lag.transactions = last - applied_seq;
  auto oldest = journal.CommitTimeOf(applied_seq + 1);
  // Purged already (retention): the oldest one still journaled gives a lower bound.
  if (!oldest.ok() && applied_seq + 1 < journal.first_seq()) oldest = journal.CommitTimeOf(journal.first_seq());
  if (oldest.ok()) lag.seconds = now > *oldest ? now - *oldest : 0;
  return lag;
}

namespace {

template <class T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json ReplicaJson(const ReplicaStatus& r) {
  Json o;
  o["name"] = JsonBytes(r.name);
  o["state"] = std::string(ReplicaStateName(r.state_detail));
  o["state_detail"] = JsonBytes(r.state_detail);
  o["applied_seq"] = r.applied_seq;
  o["gtid"] = r.gtid;
  o["position"] = JsonBytes(r.position);
  o["commit_time"] = int64_t(r.commit_time);
  o["applied_time"] = int64_t(r.applied_time);
  o["lag_transactions"] = r.lag.transactions;
  o["lag_seconds"] = OrNull(r.lag.seconds);
  o["transactions"] = OrNull(r.transactions);
  o["failed_seq"] = r.failed_seq;
  o["skip_pending_seq"] = r.skip_pending_seq;
  o["delay_s"] = r.delay_s ? Json(*r.delay_s) : Json(nullptr);
  o["delayed_until"] = r.delayed_until ? Json(*r.delayed_until) : Json(nullptr);
  if (r.held_databases) {
    Json held = Json::array();
    for (const auto& h : *r.held_databases) {
      Json x;
      x["database"] = JsonBytes(h.database);
      x["master_database"] = JsonBytes(h.master_database);
      x["state"] = h.state;
      x["since_seq"] = h.since_seq;
      x["copied_seq"] = h.copied_seq ? Json(h.copied_seq) : Json(nullptr);
      held.push_back(std::move(x));
    }
    o["held_databases"] = std::move(held);
  } else {
    o["held_databases"] = nullptr;
  }
  o["last_error"] = JsonBytes(r.last_error);
  return o;
}

}  // namespace

// Through nlohmann::json (include/vomsrepl/json.h), fields in this order.
std::string StatusDocumentJson(const StatusDocument& doc) {
  Json top;
  top["state_dir"] = doc.state_dir ? JsonBytes(*doc.state_dir) : Json(nullptr);
  const SourceStatus& s = doc.source;
  Json& source = top["source"] = Json::object();
  source["role"] = s.role ? Json(*s.role) : Json(nullptr);
  source["role_detail"] = s.role_detail ? JsonBytes(*s.role_detail) : Json(nullptr);
  source["state"] = s.state ? Json(*s.state) : Json(nullptr);
  source["stream_position"] = s.stream_position ? JsonBytes(*s.stream_position) : Json(nullptr);
  source["checkpoint_seq"] = s.checkpoint_seq;
  source["position"] = JsonBytes(s.position);
  source["gtid"] = s.gtid;
  source["gtid_state"] = s.gtid_state;
  source["commit_time"] = int64_t(s.commit_time);
  const journal::JournalStats& j = doc.journal;
  top["journal"] = Json{{"first_seq", j.first_seq},     {"last_seq", j.last_seq},     {"transactions", j.transactions},
                        {"durable_seq", j.durable_seq}, {"disk_bytes", j.disk_bytes}, {"sst_bytes", j.sst_bytes}};
  Json& replicas = top["replicas"] = Json::array();
  for (const ReplicaStatus& r : doc.replicas) replicas.push_back(ReplicaJson(r));
  return JsonText(top) + "\n";
}

}  // namespace vomsrepl::ops
