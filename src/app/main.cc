// vomsrepl: binlog streaming replicator for VOMS databases.
//
// main() parses the command line (CLI11), runs one subcommand and turns its
// Status into a one-line message and a documented exit code (exit_codes.h).
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "app/exit_codes.h"
#include "app/version.h"

int main(int argc, char** argv) {
  using namespace vomsrepl;
  CLI::App cli{"vomsrepl: binlog streaming replicator for the MariaDB/MySQL databases of VOMS servers"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string(app::kVersion));

  auto* version = cli.add_subcommand("version", "Print the version and exit");
  (void)version;

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? app::kExitOk : app::kExitUsage;
  }

  if (cli.got_subcommand("version")) {
    std::printf("vomsrepl %s\n", app::kVersion);
    return app::kExitOk;
  }
  return app::kExitOk;
}
