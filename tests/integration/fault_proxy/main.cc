// fault_proxy: the TCP fault proxy of the network-fault tests (not installed).
//
//   fault_proxy --target HOST:PORT [--listen-port N] [--control-port N] [--port-file F]
//
// Listens on 127.0.0.1:N (0, the default: a free port) and forwards each connection
// to HOST:PORT; a control port on 127.0.0.1 takes one command per line and answers
// one line, "ok ..." once the command has taken effect or "error: ..." (several
// commands per connection are fine). Commands: cut, stall, resume, delay MS, refuse,
// accept, cut-after BYTES [down|up], pause-each BYTES MS, stats, help (see
// fault_proxy.h). The two ports go
// to --port-file as "LISTEN CONTROL\n" (written whole, by rename) and to stdout.
// Events are logged to stderr. SIGTERM / SIGINT end it.
//
// From bash: exec {fd}<>/dev/tcp/127.0.0.1/$control; echo stall >&$fd; read -r reply <&$fd
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "fault_proxy.h"

namespace asio = boost::asio;
using asio::ip::tcp;
using vomsrepl::test::Direction;
using vomsrepl::test::FaultProxy;

namespace {

constexpr std::string_view kHelp =
    "commands: cut | stall | resume | delay MS | refuse | accept | cut-after BYTES [down|up] | pause-each BYTES MS | "
    "stats | help";

bool ParseUint(std::string_view text, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > max) return false;
  *out = v;
  return true;
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// One command line -> its one-line answer. Runs on the io thread, as the proxy does.
std::string Execute(FaultProxy& proxy, std::string_view line) {
  std::vector<std::string_view> w = Words(line);
  if (w.empty()) return "error: empty command; " + std::string(kHelp);
  const std::string_view cmd = w[0];
  auto no_args = [&](std::string ok) {
    return w.size() == 1 ? ok : "error: " + std::string(cmd) + " takes no argument";
  };
  if (cmd == "cut") {
    const uint64_t open = proxy.Stats().open;
    proxy.Cut();
    return no_args("ok cut " + std::to_string(open) + " connection(s)");
  }
  if (cmd == "stall") {
    if (w.size() != 1) return "error: stall takes no argument";
    proxy.Stall();
    return "ok stalled";
  }
  if (cmd == "resume") {
    if (w.size() != 1) return "error: resume takes no argument";
    proxy.Resume();
    return "ok resumed";
  }
  if (cmd == "refuse" || cmd == "accept") {
    if (w.size() != 1) return "error: " + std::string(cmd) + " takes no argument";
    proxy.SetRefuse(cmd == "refuse");
    return cmd == "refuse" ? "ok refusing new connections" : "ok accepting new connections";
  }
  if (cmd == "delay") {
    uint64_t ms = 0;
    if (w.size() != 2 || !ParseUint(w[1], 600000, &ms)) return "error: delay needs MS, an integer from 0 to 600000";
    proxy.SetDelay(std::chrono::milliseconds(ms));
    return "ok delay " + std::to_string(ms) + " ms";
  }
  if (cmd == "cut-after") {
    uint64_t bytes = 0;
    if (w.size() < 2 || w.size() > 3 || !ParseUint(w[1], uint64_t(1) << 50, &bytes)) {
      return "error: cut-after needs BYTES (an integer from 0 to 2^50) and optionally down (target to client, the "
             "default) or up";
    }
    Direction d = Direction::kDown;
    if (w.size() == 3) {
      if (w[2] == "up") {
        d = Direction::kUp;
      } else if (w[2] != "down") {
        return "error: cut-after: direction '" + std::string(w[2]) + "' is neither down nor up";
      }
    }
    proxy.CutAfter(bytes, d);
    return "ok cut after " + std::to_string(bytes) + " more byte(s) " + (d == Direction::kUp ? "up" : "down");
  }
  if (cmd == "pause-each") {
    uint64_t bytes = 0, ms = 0;
    if (w.size() != 3 || !ParseUint(w[1], uint64_t(1) << 50, &bytes) || !ParseUint(w[2], 600000, &ms)) {
      return "error: pause-each needs BYTES (an integer from 0 to 2^50) and MS (from 0 to 600000; 0 disarms)";
    }
    proxy.PauseEach(bytes, std::chrono::milliseconds(ms));
    return ms == 0 ? "ok pause-each disarmed"
                   : "ok each connection pauses " + std::to_string(ms) + " ms after " + std::to_string(bytes) +
                         " byte(s) down";
  }
  if (cmd == "stats") {
    if (w.size() != 1) return "error: stats takes no argument";
    auto s = proxy.Stats();
    std::ostringstream o;
    o << "ok open=" << s.open << " accepted=" << s.accepted << " refused=" << s.refused
      << " connect_failed=" << s.connect_failed << " cuts=" << s.cuts << " last_cut_unix_ms=" << s.last_cut_unix_ms
      << " bytes_down=" << s.bytes[0] << " bytes_up=" << s.bytes[1] << " stalled=" << (proxy.stalled() ? 1 : 0)
      << " refusing=" << (proxy.refusing() ? 1 : 0) << " delay_ms=" << proxy.delay().count()
      << " cut_after_remaining=" << proxy.cut_after_remaining() << " pauses=" << s.pauses;
    return o.str();
  }
  if (cmd == "help") return "ok " + std::string(kHelp);
  return "error: unknown command '" + std::string(cmd) + "'; " + std::string(kHelp);
}

asio::awaitable<void> ControlSession(tcp::socket socket, FaultProxy& proxy) {
  std::string buffer;
  while (true) {
    boost::system::error_code ec;
    size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer, 4096), '\n',
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    std::string reply = Execute(proxy, line);
    std::cerr << "fault_proxy: " << line << " -> " << reply << std::endl;
    reply += '\n';
    co_await asio::async_write(socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> ControlLoop(tcp::acceptor& acceptor, FaultProxy& proxy) {
  while (true) {
    boost::system::error_code ec;
    tcp::socket socket(acceptor.get_executor());
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), ControlSession(std::move(socket), proxy), asio::detached);
  }
}

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "fault_proxy: " << why
            << "\nusage: fault_proxy --target HOST:PORT [--listen-port N] [--control-port N] [--port-file FILE]\n";
  std::exit(2);
}

uint16_t PortArg(std::string_view flag, const char* text) {
  uint64_t v = 0;
  if (text == nullptr || !ParseUint(text, 65535, &v)) Usage(std::string(flag) + " needs a port number (0 to 65535)");
  return static_cast<uint16_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target_text, port_file;
  uint16_t listen_port = 0, control_port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--target" && next) {
      target_text = argv[++i];
    } else if (a == "--listen-port") {
      listen_port = PortArg(a, next), ++i;
    } else if (a == "--control-port") {
      control_port = PortArg(a, next), ++i;
    } else if (a == "--port-file" && next) {
      port_file = argv[++i];
    } else {
      Usage("unknown or incomplete argument '" + std::string(a) + "'");
    }
  }
  const size_t colon = target_text.rfind(':');
  uint64_t target_port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !ParseUint(std::string_view(target_text).substr(colon + 1), 65535, &target_port) || target_port == 0) {
    Usage("--target needs HOST:PORT (a port from 1 to 65535)");
  }
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    auto resolved = resolver.resolve(target_text.substr(0, colon), std::to_string(target_port));
    const tcp::endpoint target = resolved.begin()->endpoint();
    const auto loopback = asio::ip::make_address_v4("127.0.0.1");
    FaultProxy proxy(io, tcp::endpoint(loopback, listen_port), target);
    tcp::acceptor control(io, tcp::endpoint(loopback, control_port));
    proxy.Start();
    asio::co_spawn(io, ControlLoop(control, proxy), asio::detached);
    const uint16_t cport = control.local_endpoint().port();
    if (!port_file.empty()) {
      const std::string tmp = port_file + ".tmp";
      std::ofstream(tmp) << proxy.port() << ' ' << cport << '\n';
      if (std::rename(tmp.c_str(), port_file.c_str()) != 0) throw std::runtime_error("cannot write " + port_file);
    }
    std::cout << "fault_proxy: listening on 127.0.0.1:" << proxy.port() << ", control on 127.0.0.1:" << cport
              << ", target " << target << std::endl;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "fault_proxy: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
