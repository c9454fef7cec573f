#include "ops/http_server.h"

#include <list>
#include <optional>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vomsrepl::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Connection;

}  // namespace

struct HttpServer::Impl {
  // Open connections, oldest first (server thread only); a connection
  // leaves it when it is closed. Declared first: it outlives the io_context,
  // whose destruction drops the last handlers and the connections they own.
  std::list<Connection*> connections;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
};

namespace {

HttpResponse PlainResponse(int status, std::string body) { return {status, "text/plain; charset=utf-8", std::move(body), {}}; }

// One accepted connection: wait for a request (idle_timeout), read its head
// (header_timeout) and body (body_timeout), answer (write_timeout), then the
// next request or close. Owned by the pending operation's handler.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl& server, const HttpHandler& handler, const HttpServerOptions& options,
             std::atomic<size_t>& open)
      : stream_(std::move(socket)),
        buffer_(options.header_limit + options.body_limit + 4096),
        server_(server),
        handler_(handler),
        options_(options),
        open_(open) {
    place_ = server_.connections.insert(server_.connections.end(), this);
    open_.fetch_add(1);
  }
  ~Connection() { Close(); }

  void Begin() { AwaitRequest(); }
  bool evictable() const { return !writing_; }
  // Closes the socket now (a pending operation completes with an error and
  // drops its handler) and leaves the list of open connections.
  void Close() {
    if (closed_) return;
    closed_ = true;
    server_.connections.erase(place_);
    open_.fetch_sub(1);
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  // Waits for the first byte of the next request (idle_timeout).
  void AwaitRequest() {
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: already here
    stream_.expires_after(options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(options_.header_limit);
    parser_->body_limit(options_.body_limit);
    stream_.expires_after(options_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Refuse(ec);
      if (self->parser_->is_done()) return self->Answer();
      self->stream_.expires_after(self->options_.body_timeout);
      http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec2, size_t) {
        if (ec2) return self->Refuse(ec2);
        self->Answer();
      });
    });
  }

  // A request that could not be read: an answer when it is the client's
  // fault (too large, malformed), nothing when it went away or ran late.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::header_limit) return Send(PlainResponse(431, "request header too large\n"), 11, false);
    if (ec == http::error::body_limit) return Send(PlainResponse(413, "request body too large\n"), 11, false);
    if (ec.category() == http::make_error_code(http::error::bad_target).category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return Send(PlainResponse(400, "malformed request\n"), 11, false);
    }
    Close();
  }

  void Answer() {
    const auto& req = parser_->get();
    ++requests_;
    bool keep = req.keep_alive() && requests_ < options_.max_requests_per_connection;
    if (req.method() != http::verb::get && req.method() != http::verb::post) {
      return Send(PlainResponse(405, "method not allowed\n"), req.version(), keep);
    }
    HttpRequest in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.host = std::string(req[http::field::host]);
    in.has_origin = req.find(http::field::origin) != req.end();
    in.authorization = std::string(req[http::field::authorization]);
    HttpResponse out;
    try {
      out = handler_(in);
    } catch (const std::exception& e) {
      out = PlainResponse(500, std::string("internal error: ") + e.what() + "\n");
    }
    Send(std::move(out), req.version(), keep);
  }

  void Send(HttpResponse out, unsigned version, bool keep) {
    res_.emplace(static_cast<http::status>(out.status), version);
    res_->set(http::field::server, "vomsrepl");
    res_->set(http::field::content_type, out.content_type);
    res_->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : out.headers) res_->set(name, value);
    res_->keep_alive(keep);
    res_->body() = std::move(out.body);
    res_->prepare_payload();
    writing_ = true;
    stream_.expires_after(options_.write_timeout);
    http::async_write(stream_, *res_, [self = shared_from_this(), keep](beast::error_code ec, size_t) {
      self->writing_ = false;
      self->res_.reset();
      if (ec) return self->Close();
      if (keep) return self->AwaitRequest();
      self->Linger();
    });
  }

  // After the last response: FIN, then read what the client still sends
  // (at most 500 ms) so that closing does not reset the connection before
  // the client has read the answer.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    stream_.expires_after(std::chrono::milliseconds(500));
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec2, size_t) {
      if (ec2) return self->Close();
      self->buffer_.clear();
      self->Linger2();
    });
  }
  void Linger2() {
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->buffer_.clear();
      self->Linger2();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  HttpServer::Impl& server_;
  const HttpHandler& handler_;
  const HttpServerOptions& options_;
  std::atomic<size_t>& open_;
  std::list<Connection*>::iterator place_;
  uint32_t requests_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

// At the cap: closes the oldest connection that is not writing a response.
bool EvictOldest(HttpServer::Impl& server) {
  for (Connection* c : server.connections) {
    if (!c->evictable()) continue;
    c->Close();  // erases c from the list: return at once
    return true;
  }
  return false;
}

void Accept(HttpServer::Impl& server, const HttpHandler& handler, const HttpServerOptions& options,
            std::atomic<size_t>& open) {
  server.acceptor.async_accept([&server, &handler, &options, &open](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !server.acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors (EMFILE) or the like: try again shortly, without spinning.
      server.accept_retry.expires_after(std::chrono::milliseconds(100));
      server.accept_retry.async_wait([&server, &handler, &options, &open](beast::error_code ec2) {
        if (!ec2) Accept(server, handler, options, open);
      });
      return;
    }
    if (server.connections.size() >= options.max_connections && !EvictOldest(server)) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Connection>(std::move(socket), server, handler, options, open)->Begin();
    }
    Accept(server, handler, options, open);
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

HttpServer::HttpServer(HttpHandler handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>()), handler_(std::move(handler)), options_(options) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& listen) {
  std::string host;
  uint16_t port = 0;
  VOMSREPL_RETURN_IF_ERROR(ParseListenAddress(listen, &host, &port));
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("listen address '" + listen + "': '" + host + "' is not an IP address");
  if (!impl_) return Internal("HttpServer::Start after Stop");
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + listen + ": " + ec.message());
  port_ = acceptor.local_endpoint().port();
  Accept(*impl_, handler_, options_, open_connections_);
  thread_ = std::thread([this] { impl_->io.run(); });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  // On the server thread, after its current handler: no new connection,
  // every open one closed, then the loop ends whatever the clients do.
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_retry.cancel();
    while (!impl_->connections.empty()) impl_->connections.front()->Close();
    impl_->io.stop();
  });
  thread_.join();
  impl_.reset();  // the handlers still queued, and the connections they own, go here
}

Result<HttpResponse> HttpRequestTo(const std::string& listen, const std::string& method, const std::string& target,
                                   const std::string& token) {
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
  req.set(http::field::host, listen);
  req.set(http::field::user_agent, "vomsrepl");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.keep_alive(false);
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
