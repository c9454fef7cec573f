// The HTTP server cannot be frozen (issue 20): idle and half-sent
// connections delay nobody, oversized and malformed requests are answered
// and closed, the connection cap closes the oldest waiting connection, and
// Stop() returns at once whatever the clients do.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "loopback_client.h"
#include "ops/http_server.h"

namespace vomsrepl::ops {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using testing::ConnectLoopback;

// Sends `raw` and reads until the server closes (at most 10 s).
std::string Exchange(uint16_t port, const std::string& raw) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "connect failed";
  (void)!::write(fd, raw.data(), raw.size());
  std::string out;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 10000) > 0) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

std::string Get(uint16_t port, const std::string& target) {
  return Exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// True when the server closed `fd` (read returns 0 or an error) within `limit`.
bool ClosedWithin(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  char buf[256];
  auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (::poll(&p, 1, 50) > 0) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return true;
    }
  }
  return false;
}

HttpHandler OkHandler() {
  return [](const HttpRequest& r) { return HttpResponse{200, "text/plain", "ok " + r.target + "\n", {}}; };
}

TEST(HttpServerLimitsTest, IdleAndHalfSentConnectionsDelayNobody) {
  HttpServer server(OkHandler());
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  std::vector<int> held;
  for (int i = 0; i < 50; ++i) {
    int fd = ConnectLoopback(server.port());
    ASSERT_GE(fd, 0);
    if (i % 2) (void)!::write(fd, "GET /health HTTP/1.1\r\nHo", 24);  // half a header, never finished
    held.push_back(fd);
  }
  for (int i = 0; i < 20; ++i) {
    std::string r = Get(server.port(), "/health");
    EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos) << r;
  }
  // Stop() closes the held connections and returns without waiting for them
  // (a hang would be the idle sockets' timeout, minutes; 10 s leaves room for a
  // loaded machine).
  auto t0 = Clock::now();
  server.Stop();
  EXPECT_LT(Clock::now() - t0, 10s);
  for (int fd : held) {
    EXPECT_TRUE(ClosedWithin(fd, 2s));
    ::close(fd);
  }
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(HttpServerLimitsTest, DeadlinesCloseIdleAndSlowConnections) {
  HttpServerOptions o;
  o.idle_timeout = 300ms;
  o.header_timeout = 300ms;
  HttpServer server(OkHandler(), o);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  int idle = ConnectLoopback(server.port());
  int slow = ConnectLoopback(server.port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(slow, 0);
  (void)!::write(slow, "GET / HTTP/1.1\r\n", 16);
  EXPECT_TRUE(ClosedWithin(idle, 5s));
  EXPECT_TRUE(ClosedWithin(slow, 5s));
  ::close(idle);
  ::close(slow);
}

TEST(HttpServerLimitsTest, OversizedAndMalformedRequestsAreAnsweredAndClosed) {
  HttpServerOptions o;
  o.header_limit = 1024;
  o.body_limit = 100;
  HttpServer server(OkHandler(), o);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  std::string big_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(4000, 'a') + "\r\n\r\n";
  EXPECT_NE(Exchange(server.port(), big_header).find("HTTP/1.1 431"), std::string::npos);
  std::string big_body = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b');
  EXPECT_NE(Exchange(server.port(), big_body).find("HTTP/1.1 413"), std::string::npos);
  EXPECT_NE(Exchange(server.port(), "\x01\x02 garbage\r\n\r\n").find("HTTP/1.1 400"), std::string::npos);
  EXPECT_NE(Exchange(server.port(), "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 405"), std::string::npos);
  // Keep-alive: two requests on one connection, then close.
  std::string two = Exchange(server.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(two.find("ok /a"), std::string::npos) << two;
  EXPECT_NE(two.find("ok /b"), std::string::npos) << two;
}

TEST(HttpServerLimitsTest, AtTheCapTheOldestWaitingConnectionMakesRoom) {
  HttpServerOptions o;
  o.max_connections = 16;
  HttpServer server(OkHandler(), o);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  std::vector<int> held;
  for (int i = 0; i < 40; ++i) {
    int fd = ConnectLoopback(server.port());
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  // Every request still gets through, and the first connections were closed.
  for (int i = 0; i < 10; ++i) EXPECT_NE(Get(server.port(), "/health").find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(ClosedWithin(held.front(), 5s));
  auto end = Clock::now() + 5s;
  while (server.open_connections() > o.max_connections && Clock::now() < end) std::this_thread::sleep_for(10ms);
  EXPECT_LE(server.open_connections(), o.max_connections);
  for (int fd : held) ::close(fd);
}

}  // namespace
}  // namespace vomsrepl::ops
