#include "app/switch_master_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/replicator.h"
#include "lifecycle/master_switch.h"
#include "ops/config.h"

namespace vomsrepl::app {

Status RunSwitchMasterCommand(const SwitchMasterCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFile(options.to_defaults_file, "--to-defaults-file"));
  lifecycle::MasterSwitchOptions o;
  o.state_dir = config.state_dir;
  o.new_master = daemon::MasterConfigFrom(config);
  o.new_master.defaults_file = options.to_defaults_file;
  o.new_master.host.clear();
  o.new_master.port = 0;
  o.new_master.socket.clear();
  o.new_master.user.clear();
  o.new_master.password_env.clear();  // the new master's credentials come from its option file only
  o.new_master.password.clear();
  o.check_only = options.check_only;
  o.out = out;
  if (!options.to_replica.empty()) {
    const ops::ReplicaSection* replica = nullptr;
    for (const auto& r : config.replicas)
      if (r.name == options.to_replica) replica = &r;
    if (replica == nullptr)
      return InvalidArgument("--to " + options.to_replica + ": no such [[replica]] in " + options.config_path);
    o.promoted_replica = replica->name;
    o.promoted = daemon::ReplicaOptionsFrom(config, *replica).replica;
  }
  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::MasterSwitchResult r, lifecycle::SwitchMaster(o));
  if (!r.written) return Status::OK();
  std::fprintf(out,
               "switch-master: the journal now follows server_id %u from %s%s%s.\nNext:\n"
               "  1. point [master] defaults_file (and host) in %s at the new master (%s)\n",
               r.new_server_id, r.resume.position.ToString().c_str(), r.resume.gtid_state.empty() ? "" : ", GTID ",
               r.resume.gtid_state.ToString().c_str(), options.config_path.c_str(), options.to_defaults_file.c_str());
  if (!options.to_replica.empty()) {
    std::fprintf(out,
                 "  2. remove [[replica]] %s from it (it is the master now)\n"
                 "  3. make it writable: SET GLOBAL read_only = OFF on %s (and let the VOMS services write there)\n"
                 "  4. start `vomsrepl run` again: the other replicas go on from the journal\n",
                 options.to_replica.c_str(), options.to_replica.c_str());
  } else {
    std::fprintf(out, "  2. start `vomsrepl run` again\n");
  }
  std::fflush(out);
  return Status::OK();
}

}  // namespace vomsrepl::app
