// HttpServer: the daemon's small HTTP endpoint (/metrics, /status, /health,
// replica control), Boost.Beast over Asio, bound to loopback by default.
//
// Contract: Start() binds `listen` ("HOST:PORT"; port 0 picks a free port,
// see port()) and serves on one background thread until Stop() or the
// destructor. Every socket operation is asynchronous: no client can hold the
// server thread, so one connection that sends nothing (or half a header)
// delays nobody else. Per connection (HttpServerOptions):
//   * idle_timeout: the connection is closed when no byte of a request comes
//     for this long (after the accept, and between keep-alive requests);
//   * header_timeout: from a request's first byte, its head must be complete
//     within this long; body_timeout: then its body; write_timeout: the
//     response must be taken by the client within this long;
//   * header_limit / body_limit: larger requests get 431 / 413 and the
//     connection is closed; a malformed request gets 400; a method other
//     than GET and POST gets 405;
//   * max_connections: at the cap, a new connection closes the oldest one
//     that is still waiting for (or reading) its request, so a flood of idle
//     connections cannot lock a legitimate client out; connections writing
//     a response are never closed early;
//   * max_requests_per_connection (keep-alive), then Connection: close.
// Stop() closes the listener and every connection and returns as soon as
// the server thread has run its current handler (handlers are short): it
// never waits for a client.
//
// Each request is handed to the handler, which returns status, content type,
// body and extra headers. Access control (Host, Origin, credentials) is the
// handler's business (ops/http_access.h, ops/control_token.h).
//
// Thread-safety: the handler runs on the server thread and must be
// thread-safe with respect to the rest of the process. Start/Stop from one
// thread; port() and open_connections() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::ops {

struct HttpRequest {
  std::string method;         // "GET" or "POST"
  std::string target;         // path and query, e.g. "/metrics", "/replica/r1/skip?seq=12"
  std::string host;           // the Host header ("" when absent)
  bool has_origin = false;    // an Origin header was sent (a browser's cross-site request)
  std::string authorization;  // the Authorization header ("" when absent)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more response headers
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::chrono::milliseconds idle_timeout{10000};
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  uint32_t header_limit = 8 * 1024;   // request line and headers, bytes
  uint32_t body_limit = 16 * 1024;    // bytes
  size_t max_connections = 256;
  uint32_t max_requests_per_connection = 100;
};

class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // InvalidArgument for a malformed address, Unavailable when it cannot bind.
  Status Start(const std::string& listen);
  void Stop();
  uint16_t port() const { return port_; }
  size_t open_connections() const { return open_connections_.load(); }

  struct Impl;  // the event loop, listener and connections (http_server.cc)

 private:
  std::unique_ptr<Impl> impl_;
  HttpHandler handler_;
  HttpServerOptions options_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::atomic<size_t> open_connections_{0};
};

// "HOST:PORT" split; IPv6 as "[::1]:9321".
Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port);

// One HTTP/1.1 request to `listen` ("HOST:PORT") with a 10 s timeout: for
// `vomsrepl replica ...` talking to a running daemon. Sends `Host: listen`
// and, when `token` is not empty, `Authorization: Bearer token`.
// Unavailable when nothing answers there.
Result<HttpResponse> HttpRequestTo(const std::string& listen, const std::string& method, const std::string& target,
                                   const std::string& token = {});

}  // namespace vomsrepl::ops
