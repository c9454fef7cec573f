// The shared connect routine without a server: the failures it classifies,
// and the TLS failure text in each session's wording (the sessions' messages
// as they were before the routine was shared; tls_test.sh and
// replica_tls_test.sh check them against real servers).
#include "connect/connection.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace vomsrepl::connect {
namespace {

const ServerWording kMaster{"the master", "the master", "the master's", "the master", "in the client", "[master.tls]",
                            true};
const ServerWording kReplica{"r1: the server", "that server", "its", "it", "for it", "[replica.tls]", false};
constexpr std::string_view kNoTls =
    "SSL is required, but the server does not support it (the connector fell back to an unencrypted session, "
    "refused here)";

TEST(IsTransientConnectionError, ConnectionLossAndUnreachableServersOnly) {
  for (unsigned e : {2002u, 2003u, 2006u, 2013u, 2055u, 5013u, 5014u, 1040u, 1053u, 1927u}) {
    EXPECT_TRUE(IsTransientConnectionError(e)) << e;
  }
  for (unsigned e : {0u, 1045u, 1044u, 1213u, 1205u, 2026u, 1236u}) EXPECT_FALSE(IsTransientConnectionError(e)) << e;
}

TEST(Connect, AnUnsetPasswordVariableIsNamedAndNothingIsTried) {
  ConnectOptions o;
  o.socket = "/nonexistent/vomsrepl-test.sock";
  o.password_env = "VOMSREPL_TEST_SURELY_UNSET_PASSWORD";
  ::unsetenv(o.password_env.c_str());
  ConnectError error;
  EXPECT_EQ(Connect(o, &error), nullptr);
  EXPECT_EQ(error.kind, ConnectError::Kind::kNoPassword);
  EXPECT_EQ(error.message, "password variable VOMSREPL_TEST_SURELY_UNSET_PASSWORD is not set in the environment");
}

TEST(Connect, AMissingSocketIsATransientRefusalWithoutThePassword) {
  ConnectOptions o;
  o.host = "localhost";
  o.socket = "/nonexistent/vomsrepl-test.sock";
  o.user = "someone";
  o.password = "s3cret-never-shown";
  o.connect_timeout = std::chrono::seconds(2);
  ConnectError error;
  EXPECT_EQ(Connect(o, &error), nullptr);
  EXPECT_EQ(error.kind, ConnectError::Kind::kRefused);
  EXPECT_EQ(error.code, 2002u);
  EXPECT_TRUE(IsTransientConnectionError(error.code));
  EXPECT_EQ(error.message.find("s3cret"), std::string::npos) << error.message;
}

TEST(DescribeTlsFailure, NoTlsOfferedInTheMastersWording) {
  ConnectOptions o;
  o.tls.enabled = true;
  TlsFailureText t = DescribeTlsFailure(kMaster, o, "cannot connect to the master (db1:3306): ", kNoTls);
  EXPECT_EQ(t.fix,
            "enable TLS on the master (ssl_cert, ssl_key and ssl_ca in its [mariadbd] section, then restart it), or "
            "turn TLS off in the client ([master.tls] enabled = false; only on a trusted network)");
  EXPECT_EQ(t.message, "the master offers no TLS but TLS is required: cannot connect to the master (db1:3306): " +
                           std::string(kNoTls) + "; fix: " + t.fix);
}

TEST(DescribeTlsFailure, NoTlsOfferedInAReplicasWordingFromTheOptionFile) {
  ConnectOptions o;
  o.defaults_file = "/etc/vomsrepl/r1.cnf";
  TlsFailureText t = DescribeTlsFailure(kReplica, o, "r1: cannot connect (option file /etc/vomsrepl/r1.cnf): ", kNoTls);
  EXPECT_EQ(t.message,
            "r1: the server offers no TLS but TLS is required: r1: cannot connect (option file "
            "/etc/vomsrepl/r1.cnf): " +
                std::string(kNoTls) +
                "; fix: enable TLS on that server (ssl_cert, ssl_key and ssl_ca in its [mariadbd] section, then "
                "restart it), or turn TLS off for it (the ssl-* keys in /etc/vomsrepl/r1.cnf; only on a trusted "
                "network)");
}

TEST(DescribeTlsFailure, HostNameMismatch) {
  ConnectOptions o;
  o.defaults_file = "/r1.cnf";
  const std::string error = "Validation of SSL server certificate failed: Hostname mismatch";
  EXPECT_EQ(DescribeTlsFailure(kReplica, o, "p: error 2026: ", error).message,
            "r1: the server's TLS certificate does not match the host name: p: error 2026: " + error +
                "; fix: connect with a host name or IP address that its certificate lists (subjectAltName), or "
                "issue it a certificate for that name; no ssl-verify-server-cert in /r1.cnf skips the name check "
                "(the chain is still checked against the CA file)");
  o.tls.enabled = true;
  TlsFailureText m = DescribeTlsFailure(kMaster, o, "p: error 2026: ", error);
  EXPECT_EQ(m.fix,
            "connect with a host name or IP address that the master's certificate lists (subjectAltName), or issue "
            "the master a certificate for that name; [master.tls] verify_server_cert = false skips the name check "
            "(the chain is still checked against the CA file)");
  EXPECT_EQ(m.message, "the master's TLS certificate does not match the host name: p: error 2026: " + error +
                           "; fix: " + m.fix);
}

TEST(DescribeTlsFailure, UnverifiedCertificateNamesTheCaFileAndOnlyTheMasterExplainsTheChainCheck) {
  ConnectOptions o;
  o.tls.enabled = true;
  o.tls.ca_file = "/wrong-ca.pem";
  o.tls.verify_server_cert = false;
  const std::string error = "unable to get local issuer certificate";
  TlsFailureText m = DescribeTlsFailure(kMaster, o, "p: ", error);
  EXPECT_EQ(m.fix,
            "set [master.tls] ca_file to the CA certificate that signed the master's certificate (the file the "
            "master's ssl_ca names), not /wrong-ca.pem (verify_server_cert = false skips only the host name check; "
            "the chain is checked whenever ca_file is set)");
  EXPECT_EQ(m.message, "the master's TLS certificate could not be verified: p: " + error + "; fix: " + m.fix);
  EXPECT_EQ(DescribeTlsFailure(kReplica, o, "p: ", error).message,
            "r1: the server's TLS certificate could not be verified: p: " + error +
                "; fix: set [replica.tls] ca_file to the CA certificate that signed its certificate (the file its "
                "ssl_ca names), not /wrong-ca.pem");
  o.tls.enabled = false;  // the option file's ssl-ca: no CA file of ours to name
  o.defaults_file = "/m.cnf";
  EXPECT_EQ(DescribeTlsFailure(kMaster, o, "p: ", error).fix,
            "set ssl-ca in /m.cnf to the CA certificate that signed the master's certificate (the file the master's "
            "ssl_ca names)");
}

}  // namespace
}  // namespace vomsrepl::connect
