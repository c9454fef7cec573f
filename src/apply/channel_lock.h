// The channel lock: one writer per channel (replica) at a time.
//
// Whoever moves a replica's progress row (the daemon's runner, `vomsrepl
// catchup`, `vomsrepl bootstrap`) first takes the user lock
// GET_LOCK('vomsrepl.apply.<channel>', 0) on its session. The lock needs no
// privilege and is released when the connection closes, so a crashed holder
// never leaves it behind. The holder also takes a second user lock that names
// what it is (`vomsrepl run`, `vomsrepl catchup`, ...), so that a refused
// caller can say who holds the channel, from which client address, for how
// long, and what to do about it.
//
// Thread-safety: as the session's (one thread).
#pragma once

#include <string>
#include <string_view>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"

namespace vomsrepl::apply {

// What each holder calls itself (the `holder` argument below).
inline constexpr std::string_view kHolderRun = "vomsrepl run";
inline constexpr std::string_view kHolderCatchup = "vomsrepl catchup";
inline constexpr std::string_view kHolderBootstrap = "vomsrepl bootstrap";

// Takes the channel lock on `session` for `holder`, waiting up to 2 s for it
// (what a closed connection's lock takes to go), and remembers it for the
// session's Close(), which releases it. OK when taken (or already held by this
// session). When another session holds it: Unavailable (the
// holder may be a connection of our own the server has not yet seen die; a
// runner retries), `*held_elsewhere` true, and the message names the holder
// (what it is, its connection id, client address and age, when the account
// may see it) and the fix.
Status TakeChannelLock(ReplicaSession& session, const std::string& channel, std::string_view holder,
                       bool* held_elsewhere);

// Fencing for a standby feeder that took over (daemon/takeover.h): ends
// (KILL CONNECTION) the session holding `channel` when it is a `vomsrepl run`
// runner (its holder lock says so; a catchup or bootstrap is never touched).
// An account may kill its own sessions; the feeders share the applier
// account. Returns the connection id ended, "" when the channel is free or
// held by something else. The killed runner's open transaction rolls back
// with its progress row: nothing is applied twice.
Result<std::string> FenceRunHolder(ReplicaSession& session, const std::string& channel);

}  // namespace vomsrepl::apply
