#include "app/undo_command.h"

#include "lifecycle/undo.h"
#include "ops/config.h"

namespace vomsrepl::app {

Status RunUndoCommand(const UndoCommandOptions& options, std::FILE* out) {
  if (options.plan && options.execute) return InvalidArgument("give --plan or --execute, not both");
  if (options.input.master && options.input.master->blocking)
    return InvalidArgument("undo reads a range that ends: --follow does not apply");
  lifecycle::UndoOptions o;
  o.files = options.input.files;
  o.master = options.input.master;
  o.filter.include_databases = options.databases;
  o.filter.exclude_databases = options.exclude_databases;
  o.filter.include_tables = options.tables;
  o.filter.exclude_tables = options.exclude_tables;
  o.mode = options.execute ? lifecycle::UndoMode::kExecute
                           : options.plan ? lifecycle::UndoMode::kPlan : lifecycle::UndoMode::kPrint;
  o.out = out;
  if (options.execute && options.target_defaults_file.empty())
    return InvalidArgument("--execute needs --target-defaults-file: an option file for the server to revert "
                           "(usually the master; the replicas then get the undo through replication)");
  if (!options.execute && !options.target_defaults_file.empty())
    return InvalidArgument("--target-defaults-file is for --execute; to read the tables' columns from a server "
                           "give --schema-defaults-file");
  if (options.execute && !options.schema_defaults_file.empty())
    return InvalidArgument("--execute reads the tables' columns from its target: drop --schema-defaults-file");
  const std::string& server_file = options.execute ? options.target_defaults_file : options.schema_defaults_file;
  if (!server_file.empty()) {
    const char* flag = options.execute ? "--target-defaults-file" : "--schema-defaults-file";
    VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFile(server_file, flag));
    apply::ReplicaConfig server;
    server.name = options.execute ? "undo target" : "schema server";
    server.defaults_file = server_file;
    o.server = server;
  }
  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::UndoReport report, lifecycle::RunUndo(o));
  (void)report;
  std::fflush(out);
  return Status::OK();
}

}  // namespace vomsrepl::app
