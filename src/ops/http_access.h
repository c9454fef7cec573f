// HttpAccess: who may talk to the daemon's HTTP endpoint (issue 20).
//
// A browser on the daemon's host can reach a loopback port: a web page may
// send a body-less POST (a CORS "simple request", no preflight) or, through
// DNS rebinding, read answers under a name it controls. Both carry what the
// browser cannot forge: an `Origin` header (every cross-origin POST, and
// every fetch() of a rebinding page), and a `Host` that names the page's
// site. So a request is refused (403) when
//   * it carries an Origin header (vomsrepl's clients, curl and Prometheus
//     send none), or
//   * its Host is not the listen address: HOST:PORT as configured (IPv6 in
//     brackets), and for a loopback listen also 127.0.0.1:PORT,
//     localhost:PORT and [::1]:PORT (case-insensitive; the port may be left
//     out only when it is 80). For a wildcard listen (0.0.0.0, ::) any host
//     with the right port is accepted: such a listen needs the token for
//     every endpoint anyway (IsLoopbackListen).
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ops/http_server.h"

namespace vomsrepl::ops {

// An IPv4 or IPv6 literal (no brackets).
bool IsIpAddress(std::string_view host);
// An IP literal in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
bool IsLoopbackAddress(std::string_view host);
// The host part of a listen address ("HOST:PORT") is a loopback address;
// false for a malformed address.
bool IsLoopbackListen(const std::string& listen);

class HttpAccess {
 public:
  // `listen_host` as ParseListenAddress returns it (no brackets), `port` the
  // bound port (the real one when the config says 0).
  HttpAccess(std::string listen_host, uint16_t port);

  // Empty when the request may be served, else why it is refused (403).
  std::string RefusalOf(const HttpRequest& request) const;
  bool loopback() const { return loopback_; }

 private:
  bool HostAllowed(std::string_view host) const;

  std::vector<std::string> hosts_;  // lower-case "host:port" forms accepted
  std::string port_suffix_;         // ":PORT"
  bool loopback_ = false;
  bool wildcard_ = false;
  bool default_port_ = false;       // PORT is 80: a Host without port names it too
};

}  // namespace vomsrepl::ops
