#include "ops/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace vomsrepl::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

namespace {

void Serve(tcp::socket socket, const HttpHandler& handler) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(10));
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec) return;
  const auto& req = parser.get();
  HttpResponse out;
  if (req.method() != http::verb::get && req.method() != http::verb::post) {
    out = {405, "text/plain; charset=utf-8", "method not allowed\n"};
  } else {
    HttpRequest in{std::string(req.method_string()), std::string(req.target())};
    try {
      out = handler(in);
    } catch (const std::exception& e) {
      out = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
    }
  }
  http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
  res.set(http::field::server, "vomsrepl");
  res.set(http::field::content_type, out.content_type);
  res.keep_alive(false);
  res.body() = std::move(out.body);
  res.prepare_payload();
  http::write(stream, res, ec);
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

void Accept(tcp::acceptor& acceptor, const HttpHandler& handler) {
  acceptor.async_accept([&acceptor, &handler](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) Serve(std::move(socket), handler);
    Accept(acceptor, handler);
  });
}

}  // namespace

Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return InvalidArgument("listen address '" + listen + "' is not HOST:PORT");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = listen.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) > 65535) {
    return InvalidArgument("listen address '" + listen + "' has an invalid port");
  }
  *host = h;
  *port = uint16_t(std::stoul(p));
  return Status::OK();
}

HttpServer::HttpServer(HttpHandler handler) : impl_(std::make_unique<Impl>()), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& listen) {
  std::string host;
  uint16_t port = 0;
  VOMSREPL_RETURN_IF_ERROR(ParseListenAddress(listen, &host, &port));
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("listen address '" + listen + "': '" + host + "' is not an IP address");
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + listen + ": " + ec.message());
  port_ = acceptor.local_endpoint().port();
  Accept(acceptor, handler_);
  thread_ = std::thread([this] { impl_->io.run(); });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->io.stop();
  thread_.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);  // the server thread is gone: safe to touch the acceptor here
}

}  // namespace vomsrepl::ops

namespace vomsrepl::ops {

Result<HttpResponse> HttpRequestTo(const std::string& listen, const std::string& method, const std::string& target) {
  std::string host;
  uint16_t port = 0;
  VOMSREPL_RETURN_IF_ERROR(ParseListenAddress(listen, &host, &port));
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("'" + host + "' is not an IP address");
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(address, port), ec);
  if (ec) return Unavailable("nothing answers on " + listen + " (" + ec.message() + "): is `vomsrepl run` running with this [http] listen?");
  http::request<http::empty_body> req{method == "POST" ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "vomsrepl");
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) return Unavailable("HTTP request to " + listen + target + " failed: " + ec.message());
  HttpResponse out;
  out.status = int(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  out.body = std::move(res.body());
  return out;
}

}  // namespace vomsrepl::ops
