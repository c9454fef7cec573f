#!/usr/bin/env python3
"""Hostile HTTP clients against a vomsrepl daemon (tests/integration/http_abuse_test.sh).

  http_abuse_load.py hold PORT DIR --idle N --slow N --bad N
      Keeps N idle connections (connected, nothing sent), N slow-header ones (half a
      request head, then one byte a second) and N bad ones (a 64 KiB head, a malformed
      request line, a 1 GB Content-Length with a few bytes of body; never reading the
      answer) open; each one the server closes is opened again 1 s later. Writes
      DIR/abuse.ready once every connection was open at the same time, and
      DIR/abuse.stats ("opened=N closed_by_server=N") when DIR/abuse.stop appears.

  http_abuse_load.py probe PORT N
      N sequential GET /health, each on a new connection; prints
      "ok=N failed=N p50_ms=X p99_ms=X max_ms=X" (connect to the end of the answer).
"""
import os
import selectors
import socket
import sys
import time


def connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


BAD = [
    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 65536 + b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n",
    b"POST /replica/replica1/stop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000\r\n\r\nabc",
]


def hold(port, d, idle, slow, bad):
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> (kind, index)
    reopen = []  # (time, kind, index)
    opened = closed = 0
    open_now = {"idle": 0, "slow": 0, "bad": 0}
    want = idle + slow + bad

    def start(kind, i):
        nonlocal opened
        s = connect(port)
        conns[s] = (kind, i)
        sel.register(s, selectors.EVENT_READ)
        opened += 1
        open_now[kind] += 1
        if kind == "slow":
            try:
                s.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            except OSError:
                pass
        elif kind == "bad":
            try:
                s.send(BAD[i % len(BAD)])
            except OSError:
                pass

    for i in range(idle):
        start("idle", i)
    for i in range(slow):
        start("slow", i)
    for i in range(bad):
        start("bad", i)
    ready = False
    next_drip = time.time() + 1
    while not os.path.exists(d + "/abuse.stop"):
        if not ready and sum(open_now.values()) >= want:
            open(d + "/abuse.ready", "w").write("%d\n" % want)
            ready = True
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                continue  # an answer (431, 400, ...): read and ignored, the socket stays open
            kind, i = conns.pop(s)
            sel.unregister(s)
            s.close()
            closed += 1
            open_now[kind] -= 1
            reopen.append((time.time() + 1.0, kind, i))
        now = time.time()
        due = [r for r in reopen if r[0] <= now]
        reopen = [r for r in reopen if r[0] > now]
        for _, kind, i in due:
            start(kind, i)
        if now >= next_drip:
            next_drip = now + 1
            for s, (kind, _) in list(conns.items()):
                if kind == "slow":
                    try:
                        s.send(b"x")
                    except OSError:
                        pass
    open(d + "/abuse.stats", "w").write("opened=%d closed_by_server=%d\n" % (opened, closed))
    for s in conns:
        s.close()


def probe(port, n):
    req = ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port).encode()
    times, failed = [], 0
    for _ in range(n):
        t0 = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(req)
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                failed += 1
                continue
        except OSError:
            failed += 1
            continue
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(len(times) * p))] if times else -1
    print("ok=%d failed=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" % (len(times), failed, pct(0.5), pct(0.99),
                                                                    times[-1] if times else -1))


def main():
    if sys.argv[1] == "hold":
        args = dict(zip(sys.argv[4::2], sys.argv[5::2]))
        hold(int(sys.argv[2]), sys.argv[3], int(args["--idle"]), int(args["--slow"]), int(args["--bad"]))
    else:
        probe(int(sys.argv[2]), int(sys.argv[3]))


if __name__ == "__main__":
    main()
