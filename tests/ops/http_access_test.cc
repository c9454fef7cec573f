// Host and Origin checks of the HTTP endpoint: a loopback listen answers its
// own address and the usual loopback names with its port, nothing else; any
// Origin header is refused.
#include <gtest/gtest.h>

#include "ops/http_access.h"

namespace vomsrepl::ops {
namespace {

HttpRequest Get(std::string host, bool origin = false) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/health";
  r.host = std::move(host);
  r.has_origin = origin;
  return r;
}

TEST(HttpAccessTest, LoopbackListenAcceptsItsNamesWithItsPort) {
  HttpAccess access("127.0.0.1", 9321);
  EXPECT_TRUE(access.loopback());
  for (const char* host : {"127.0.0.1:9321", "localhost:9321", "LOCALHOST:9321", "[::1]:9321"}) {
    EXPECT_EQ(access.RefusalOf(Get(host)), "") << host;
  }
  for (const char* host : {"evil.example", "evil.example:9321", "127.0.0.1", "127.0.0.1:9322", "localhost",
                           "localhost.evil.example:9321", "127.0.0.1:9321.evil", "[::1]", "", "0.0.0.0:9321"}) {
    EXPECT_NE(access.RefusalOf(Get(host)), "") << host;
  }
}

TEST(HttpAccessTest, OriginIsRefusedWhateverTheHost) {
  HttpAccess access("127.0.0.1", 9321);
  EXPECT_NE(access.RefusalOf(Get("127.0.0.1:9321", true)), "");
}

TEST(HttpAccessTest, OtherListenForms) {
  HttpAccess v6("::1", 8080);
  EXPECT_TRUE(v6.loopback());
  EXPECT_EQ(v6.RefusalOf(Get("[::1]:8080")), "");
  EXPECT_EQ(v6.RefusalOf(Get("127.0.0.1:8080")), "");
  EXPECT_NE(v6.RefusalOf(Get("::1:8080")), "");
  HttpAccess other_loopback("127.0.0.2", 9321);
  EXPECT_EQ(other_loopback.RefusalOf(Get("127.0.0.2:9321")), "");
  HttpAccess lan("192.0.2.7", 9321);
  EXPECT_FALSE(lan.loopback());
  EXPECT_EQ(lan.RefusalOf(Get("192.0.2.7:9321")), "");
  EXPECT_NE(lan.RefusalOf(Get("localhost:9321")), "");
  HttpAccess web("127.0.0.1", 80);  // port 80: a Host without port names it
  EXPECT_EQ(web.RefusalOf(Get("localhost")), "");
  EXPECT_EQ(web.RefusalOf(Get("[::1]")), "");
  EXPECT_NE(web.RefusalOf(Get("evil.example")), "");
  HttpAccess any("0.0.0.0", 9321);
  EXPECT_FALSE(any.loopback());
  EXPECT_EQ(any.RefusalOf(Get("db1.example.org:9321")), "");
  EXPECT_NE(any.RefusalOf(Get("db1.example.org:80")), "");
}

TEST(HttpAccessTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.255.0.9"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("localhost"));  // names are not addresses
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:9321"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:9321"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:9321"));
  EXPECT_FALSE(IsLoopbackListen("garbage"));
}

}  // namespace
}  // namespace vomsrepl::ops
