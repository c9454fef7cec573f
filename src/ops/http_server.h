// HttpServer: the daemon's small HTTP endpoint (/metrics, /status, /health,
// replica control), Boost.Beast over Asio, bound to loopback by default.
//
// Contract: Start() binds `listen` ("HOST:PORT"; port 0 picks a free port,
// see port()) and serves on one background thread until Stop() or the
// destructor. Each request is handed to the handler, which returns status,
// content type and body; requests are read with a 10 s timeout and a 64 KiB
// limit, one request per connection (Connection: close). Only GET and POST.
//
// Thread-safety: the handler runs on the server thread and must be
// thread-safe with respect to the rest of the process. Start/Stop from one
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <vomsrepl/status.h>

namespace vomsrepl::ops {

struct HttpRequest {
  std::string method;  // "GET" or "POST"
  std::string target;  // path and query, e.g. "/metrics"
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // InvalidArgument for a malformed address, Unavailable when it cannot bind.
  Status Start(const std::string& listen);
  void Stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpHandler handler_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// "HOST:PORT" split; IPv6 as "[::1]:9321".
Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace vomsrepl::ops

namespace vomsrepl::ops {

// One HTTP/1.1 request to `listen` ("HOST:PORT") with a 10 s timeout: for
// `vomsrepl replica ...` talking to a running daemon. Unavailable when
// nothing answers there.
Result<HttpResponse> HttpRequestTo(const std::string& listen, const std::string& method, const std::string& target);

}  // namespace vomsrepl::ops
