#include "ops/master_read_account.h"

namespace vomsrepl::ops {

Result<apply::ReplicaConfig> MasterReadAccount(const Config& config, const std::string& flag_file) {
  apply::ReplicaConfig m;
  m.name = "master";
  m.defaults_file = !flag_file.empty()                           ? flag_file
                    : !config.master_read_defaults_file.empty() ? config.master_read_defaults_file
                                                                 : config.master.defaults_file;
  if (m.defaults_file.empty())
    return InvalidArgument("no option file for reading the master's tables: set read_defaults_file in [master] of " +
                           config.path + " (an account with SELECT on the replicated databases) or give "
                           "--master-defaults-file FILE");
  VOMSREPL_RETURN_IF_ERROR(CheckOptionFile(m.defaults_file, "master read account"));
  m.connect_timeout = config.master.connect_timeout;
  m.tls = config.master.tls;
  m.tls_table = "[master.tls]";
  return m;
}

std::string DescribeMasterReadAccount(const Config& config, const std::string& flag_file) {
  if (!flag_file.empty()) return "the account of " + flag_file + " (--master-defaults-file)";
  if (!config.master_read_defaults_file.empty())
    return "the account of " + config.master_read_defaults_file + " ([master] read_defaults_file)";
  return "the replication account of " + config.master.defaults_file +
         " ([master] defaults_file, which usually has no SELECT: set [master] read_defaults_file in " + config.path +
         " to an option file of an account with SELECT on the replicated databases)";
}

}  // namespace vomsrepl::ops
