#include "ops/replica_status.h"

#include "binlog/json_binary.h"

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

// Appends `"name":` and a value; a comma before every field but the first of
// an object.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  ~JsonObject() { out_ += '}'; }
  JsonObject& Str(std::string_view name, std::string_view v) {
    Name(name);
    binlog::AppendJsonString(v, out_);
    return *this;
  }
  JsonObject& OptStr(std::string_view name, const std::optional<std::string>& v) {
    if (!v) return Null(name);
    return Str(name, std::string_view(*v));
  }
  JsonObject& Num(std::string_view name, uint64_t v) {
    Name(name);
    out_ += std::to_string(v);
    return *this;
  }
  JsonObject& Int(std::string_view name, int64_t v) {
    Name(name);
    out_ += std::to_string(v);
    return *this;
  }
  template <class T>
  JsonObject& Opt(std::string_view name, const std::optional<T>& v) {
    if (!v) return Null(name);
    Name(name);
    out_ += std::to_string(*v);
    return *this;
  }
  JsonObject& Null(std::string_view name) {
    Name(name);
    out_ += "null";
    return *this;
  }
  // Starts a nested value: the caller appends it to out().
  std::string& Nested(std::string_view name) {
    Name(name);
    return out_;
  }

 private:
  void Name(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    binlog::AppendJsonString(name, out_);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

void AppendReplica(std::string& out, const ReplicaStatus& r) {
  JsonObject o(out);
  o.Str("name", r.name)
      .Str("state", ReplicaStateName(r.state_detail))
      .Str("state_detail", r.state_detail)
      .Num("applied_seq", r.applied_seq)
      .Str("gtid", r.gtid)
      .Str("position", r.position)
      .Int("commit_time", r.commit_time)
      .Int("applied_time", r.applied_time)
      .Num("lag_transactions", r.lag.transactions)
      .Opt("lag_seconds", r.lag.seconds)
      .Opt("transactions", r.transactions)
      .Num("failed_seq", r.failed_seq)
      .Num("skip_pending_seq", r.skip_pending_seq)
      .Str("last_error", r.last_error);
}

}  // namespace

std::string StatusDocumentJson(const StatusDocument& doc) {
  std::string out;
  {
    JsonObject top(out);
    top.OptStr("state_dir", doc.state_dir);
    {
      const SourceStatus& s = doc.source;
      JsonObject o(top.Nested("source"));
      o.OptStr("state", s.state)
          .OptStr("stream_position", s.stream_position)
          .Num("checkpoint_seq", s.checkpoint_seq)
          .Str("position", s.position)
          .Str("gtid", s.gtid)
          .Str("gtid_state", s.gtid_state)
          .Int("commit_time", s.commit_time);
    }
    {
      const journal::JournalStats& j = doc.journal;
      JsonObject o(top.Nested("journal"));
      o.Num("first_seq", j.first_seq)
          .Num("last_seq", j.last_seq)
          .Num("transactions", j.transactions)
          .Num("durable_seq", j.durable_seq)
          .Num("disk_bytes", j.disk_bytes)
          .Num("sst_bytes", j.sst_bytes);
    }
    std::string& arr = top.Nested("replicas");
    arr += '[';
    for (size_t i = 0; i < doc.replicas.size(); ++i) {
      if (i) arr += ',';
      AppendReplica(arr, doc.replicas[i]);
    }
    arr += ']';
  }
  out += '\n';
  return out;
}

}  // namespace vomsrepl::ops
