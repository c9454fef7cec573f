#include "app/argv_secrets.h"

#include <cctype>

namespace vomsrepl::app {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The option name (before '='), or "" when `arg` is not an option.
std::string_view OptionName(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return {};
  return arg.substr(0, arg.find('='));
}

// An option name safe to print: --WORD[-WORD...], letters only, the word with
// "pass" exactly one of the usual ones (so no value can be glued to it).
bool PrintableName(std::string_view name) {
  if (name.rfind("--", 0) != 0 || name.size() > 64) return false;
  std::string_view rest = name.substr(2);
  bool saw_pass = false;
  while (!rest.empty()) {
    size_t dash = rest.find('-');
    std::string word = Lower(rest.substr(0, dash));
    if (word.empty()) return false;
    for (char c : word) {
      if (c < 'a' || c > 'z') return false;
    }
    if (word.find("pass") != std::string::npos) {
      if (word != "pass" && word != "passwd" && word != "password" && word != "passphrase") return false;
      saw_pass = true;
    }
    rest = dash == std::string_view::npos ? std::string_view() : rest.substr(dash + 1);
  }
  return saw_pass;
}

}  // namespace

bool IsPasswordArgument(std::string_view arg) {
  std::string_view name = OptionName(arg);
  if (name.empty() || arg == "--") return false;
  if (arg.rfind("-p", 0) == 0) return true;  // -p, -pSECRET, -p=SECRET
  return Lower(name).find("pass") != std::string::npos;
}

Status RefusePasswordArguments(const std::vector<std::string_view>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (!IsPasswordArgument(a)) continue;
    std::string_view name = OptionName(a);
    std::string which;
    if (a.rfind("-p", 0) == 0) {
      which = "option -p";  // -pSECRET: the rest is the password itself
    } else if (PrintableName(name)) {
      which = "option " + std::string(name);
    } else {
      which = "argument " + std::to_string(i + 1) + " (an option whose name contains \"pass\")";
    }
    return InvalidArgument(which +
                           " refused: passwords are never taken from the command line (other users see it in ps); "
                           "put it in the [client] group of a MySQL option file with mode 0600 (password=...) and "
                           "name that file with defaults_file in the TOML configuration or a --*defaults-file option");
  }
  return Status::OK();
}

}  // namespace vomsrepl::app
