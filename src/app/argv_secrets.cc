#include "app/argv_secrets.h"

#include <string>

namespace vomsrepl::app {

Status RefusePasswordArguments(const std::vector<std::string_view>& args) {
  for (std::string_view a : args) {
    if (a == "--") break;  // what follows is positional
    std::string_view option;
    if (a.rfind("--pass", 0) == 0) {
      option = a.substr(0, a.find('='));  // the name only, never the value
    } else if (a.rfind("-p", 0) == 0) {
      option = "-p";  // -pSECRET: the rest is the password itself
    } else {
      continue;
    }
    return InvalidArgument("option " + std::string(option) +
                           " refused: passwords are never taken from the command line (other users see it in ps); "
                           "put it in the [client] group of a MySQL option file with mode 0600 (password=...) and "
                           "name that file with defaults_file in the TOML configuration or a --*defaults-file option");
  }
  return Status::OK();
}

}  // namespace vomsrepl::app
