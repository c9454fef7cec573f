// MasterSwitch: `vomsrepl switch-master`: moves the feeder's journal to a new
// master without a gap or a duplicate, or refuses and says why.
//
// The daemon must be stopped (the state directory lock is taken). The new
// master is reached through the option file of a replication account on it
// (`to_defaults_file`) and passes the master preflight (binlog on, ROW, FULL
// image, privileges). Two cases:
//
//  * A promoted replica (`promoted_replica` names its [[replica]]): a
//    replica fed by vomsrepl, with log_bin on, that becomes the master. It
//    holds every journaled transaction when its own progress row has applied
//    the journal's last seq (else: refused, naming how far each replica got,
//    so the most advanced one can be picked or this one caught up first). It
//    must still be read-only: its binlog position at the switch is where its
//    own new writes begin, and the feeder resumes exactly there (its GTID
//    state, else its file:pos). Its server_id must be the one the option file
//    reaches. Afterwards it is no longer a replica: remove its [[replica]].
//  * A master of the same GTID history (a standby fed by the old master's own
//    replication, a master restored from a backup plus binlogs): the feeder
//    resumes at the journal's GTID state. Refused unless the new master's
//    @@gtid_binlog_pos reaches it in every domain and the new master accepts a
//    binlog dump from it (strict mode: a GTID missing from its binlog is an
//    error, not a silent skip).
//
// What it writes (unless `check_only`): the checkpoint's source point (the
// journal's seq is unchanged: replicas go on applying the journal in order,
// then the new master's transactions), the journal metadata
// source_server_id (the feeder refuses any other master from then on), and a
// line in master_switches. The operator then points [master] at the new
// master and starts the daemon.
//
// Thread-safety: one call at a time.
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "source/master_stream.h"
#include "txn/transaction.h"

namespace vomsrepl::lifecycle {

struct MasterSwitchOptions {
  std::string state_dir;
  source::MasterConfig new_master;         // defaults_file of a replication account on it
  std::string promoted_replica;            // a [[replica]] name, or empty
  apply::ReplicaConfig promoted;           // its connection (applier account), when promoted_replica is set
  bool check_only = false;
  std::FILE* out = nullptr;
};

struct MasterSwitchResult {
  uint32_t old_server_id = 0;   // 0: the journal did not know
  uint32_t new_server_id = 0;
  txn::SourcePoint resume;      // where the feeder resumes on the new master
  uint64_t journal_last_seq = 0;
  bool written = false;
};

Result<MasterSwitchResult> SwitchMaster(const MasterSwitchOptions& options);

}  // namespace vomsrepl::lifecycle
