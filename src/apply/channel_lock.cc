#include "apply/channel_lock.h"

#include <array>

namespace vomsrepl::apply {
namespace {

// MariaDB and MySQL cap user lock names at 64 characters.
std::string LockName(std::string name) { return name.substr(0, 64); }

std::string ChannelLockName(const std::string& channel) { return LockName("vomsrepl.apply." + channel); }

// The holder's name comes first: a long channel name is what gets cut.
std::string HolderLockName(std::string_view holder, const std::string& channel) {
  return LockName("vomsrepl.holder." + std::string(holder) + "." + channel);
}

Result<std::string> IsUsedLock(ReplicaSession& s, const std::string& name) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.QueryPrepared("SELECT IS_USED_LOCK(?)", {name}));
  if (rows.empty() || !rows[0][0]) return std::string();
  return *rows[0][0];
}

// "`vomsrepl run` (connection 12 from 127.0.0.1:40112, connected 35 s ago)";
// what the server lets this account see of it.
std::string DescribeHolder(ReplicaSession& s, const std::string& channel, std::string* holder) {
  auto id = IsUsedLock(s, ChannelLockName(channel));
  if (!id.ok() || id->empty()) return "another session";
  static constexpr std::array<std::string_view, 3> kHolders = {kHolderRun, kHolderCatchup, kHolderBootstrap};
  for (std::string_view h : kHolders) {
    auto by = IsUsedLock(s, HolderLockName(h, channel));
    if (by.ok() && *by == *id) *holder = std::string(h);
  }
  std::string out = holder->empty() ? "another session" : "`" + *holder + "`";
  out += " (connection " + *id;
  auto who = s.QueryPrepared("SELECT HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = CAST(? AS UNSIGNED)",
                             {*id});
  if (who.ok() && !who->empty())
    out += " from " + (*who)[0][0].value_or("?") + ", in its current state for " + (*who)[0][1].value_or("?") + " s";
  return out + ")";
}

std::string Fix(const std::string& holder, const std::string& channel) {
  if (holder == kHolderRun)
    return "pause that replica's runner first: `vomsrepl replica stop " + channel +
           " --config FILE` (start it again afterwards with `vomsrepl replica start " + channel + " --config FILE`)";
  if (holder == kHolderCatchup || holder == kHolderBootstrap)
    return "wait until that " + holder.substr(9) + " has finished (or stop it), then run this again";
  return "it is a running `vomsrepl run` feeding this replica (pause it with `vomsrepl replica stop " + channel +
         "`), a `vomsrepl catchup` or `vomsrepl bootstrap` of it, or a second daemon: stop it, then run this again";
}

}  // namespace

Result<std::string> FenceRunHolder(ReplicaSession& session, const std::string& channel) {
  VOMSREPL_ASSIGN_OR_RETURN(std::string id, IsUsedLock(session, ChannelLockName(channel)));
  if (id.empty()) return std::string();
  VOMSREPL_ASSIGN_OR_RETURN(std::string by, IsUsedLock(session, HolderLockName(kHolderRun, channel)));
  if (by != id) return std::string();
  for (char c : id)
    if (c < '0' || c > '9') return Internal("IS_USED_LOCK returned '" + id + "'");
  VOMSREPL_RETURN_IF_ERROR(session.Execute("KILL CONNECTION " + id));  // a number, checked above
  return id;
}

Status TakeChannelLock(ReplicaSession& session, const std::string& channel, std::string_view holder,
                       bool* held_elsewhere) {
  *held_elsewhere = false;
  const std::string name = ChannelLockName(channel);
  // A session that has just gone (a process stopped a moment ago, a runner's
  // lost connection) may still hold it: the server frees a closed connection's
  // locks some time after the client has left.
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, session.QueryPrepared("SELECT GET_LOCK(?, 2)", {name}));
  if (rows.empty() || !rows[0][0] || *rows[0][0] != "1") {
    *held_elsewhere = true;
    std::string who_holds;
    std::string who = DescribeHolder(session, channel, &who_holds);
    return Unavailable(session.config().name + ": channel " + channel + " on this replica is held by " + who +
                       " (user lock " + name + "); only one program may write a replica's progress at a time: " +
                       Fix(who_holds, channel));
  }
  session.HoldsUserLock(name);
  if (!holder.empty()) {
    // Names the holder for others' messages and for fencing (FenceRunHolder);
    // the previous holder's session may let it go a moment after the channel
    // lock (a closed connection's locks go together, in no set order).
    const std::string holder_name = HolderLockName(holder, channel);
    auto got = session.QueryPrepared("SELECT GET_LOCK(?, 2)", {holder_name});
    if (got.ok() && !got->empty() && (*got)[0][0] && *(*got)[0][0] == "1") session.HoldsUserLock(holder_name);
  }
  return Status::OK();
}

}  // namespace vomsrepl::apply
