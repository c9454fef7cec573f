// The HTTP endpoint serves what its handler returns, and the metrics text
// carries the counters as they were incremented.
#include <unistd.h>

#include <gtest/gtest.h>

#include "loopback_client.h"
#include "ops/http_server.h"
#include "ops/metrics.h"
#include "ops/replica_status.h"

namespace vomsrepl::ops {
namespace {

// One plain HTTP/1.1 request over loopback; returns the whole response.
std::string Fetch(uint16_t port, const std::string& method, const std::string& target) {
  int fd = testing::ConnectLoopback(port);
  if (fd < 0) return "connect failed";
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  ::close(fd);
  return out;
}

TEST(HttpServerTest, ServesHandlerResponses) {
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/health") return HttpResponse{200, "text/plain", "ok\n", {}};
    if (r.method == "POST") return HttpResponse{202, "application/json", "{\"posted\":\"" + r.target + "\"}", {}};
    return HttpResponse{404, "text/plain", "not found\n", {}};
  });
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  ASSERT_NE(server.port(), 0);
  std::string health = Fetch(server.port(), "GET", "/health");
  EXPECT_NE(health.find("HTTP/1.1 200"), std::string::npos) << health;
  EXPECT_NE(health.find("\r\n\r\nok\n"), std::string::npos) << health;
  std::string post = Fetch(server.port(), "POST", "/replica/r1/stop");
  EXPECT_NE(post.find("HTTP/1.1 202"), std::string::npos) << post;
  EXPECT_NE(post.find("{\"posted\":\"/replica/r1/stop\"}"), std::string::npos) << post;
  EXPECT_NE(Fetch(server.port(), "DELETE", "/x").find("HTTP/1.1 405"), std::string::npos);
  EXPECT_NE(Fetch(server.port(), "GET", "/nope").find("HTTP/1.1 404"), std::string::npos);
  server.Stop();
  EXPECT_EQ(Fetch(server.port(), "GET", "/health"), "connect failed");
}

TEST(HttpServerTest, BadListenAddresses) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_EQ(server.Start("localhost").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Start("127.0.0.1:99999").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Start("not-an-ip:80").code(), StatusCode::kInvalidArgument);
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress("[::1]:9321", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9321);
}

TEST(MetricsTest, TextFormatCarriesCounts) {
  Metrics m;
  m.events().Increment(42);
  m.Rows("voms_x", "insert").Increment(7);
  m.Rows("voms_x", "insert").Increment(3);
  auto r = m.Replica("replica1");
  r.applied_seq->Set(17);
  std::string text = m.Serialize();
  EXPECT_NE(text.find("vomsrepl_source_events_total 42"), std::string::npos) << text;
  EXPECT_NE(text.find("vomsrepl_rows_total{database=\"voms_x\",operation=\"insert\"} 10"), std::string::npos) << text;
  EXPECT_NE(text.find("vomsrepl_replica_applied_seq{replica=\"replica1\"} 17"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE vomsrepl_replica_lag_seconds gauge"), std::string::npos) << text;
}

TEST(MetricsTest, EveryCounterFromStartAndBuildInfo) {
  Metrics m;
  m.Replica("r1");
  std::string text = m.Serialize();
  for (const char* line : {"vomsrepl_source_events_total 0", "vomsrepl_source_reconnects_total 0",
                           "vomsrepl_errors_total{component=\"source\"} 0",
                           "vomsrepl_errors_total{component=\"journal\"} 0",
                           "vomsrepl_errors_total{component=\"apply\"} 0",
                           "vomsrepl_replica_skips_total{replica=\"r1\"} 0",
                           "vomsrepl_replica_lag_transactions{replica=\"r1\"} 0",
                           "vomsrepl_replica_state{replica=\"r1\",state=\"stopped\"} 0"}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos) << line << "\n" << text;
  }
  size_t at = text.find("\nvomsrepl_build_info{");
  ASSERT_NE(at, std::string::npos) << text;
  std::string line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  EXPECT_NE(line.find("version=\"" VOMSREPL_TEST_VERSION "\""), std::string::npos) << line;
  EXPECT_NE(line.find("commit=\""), std::string::npos) << line;
  EXPECT_EQ(line.substr(line.size() - 2), " 1") << line;
}

TEST(MetricsTest, OneStateAtATime) {
  Metrics m;
  auto r = m.Replica("r1");
  for (size_t i = 0; i < kReplicaStates.size(); ++i) r.state[i]->Set(kReplicaStates[i] == "stopped" ? 1 : 0);
  std::string text = m.Serialize();
  EXPECT_NE(text.find("vomsrepl_replica_state{replica=\"r1\",state=\"stopped\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vomsrepl_replica_state{replica=\"r1\",state=\"running\"} 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace vomsrepl::ops
