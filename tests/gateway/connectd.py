#!/usr/bin/python3
"""connectd.py PORT NAME:PORT=ADDR:PORT... - an HTTP CONNECT proxy for the
gateway tests: "CONNECT name:port" is relayed to the mapped address (any
other target gets 403); the request head (with the Proxy-Authorization the
gateway read) is not passed on."""
import socket, sys, threading

port = int(sys.argv[1])
targets = {}
for m in sys.argv[2:]:
    k, v = m.split("=")
    h, p = v.rsplit(":", 1)
    targets[k] = (h, int(p))


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d or len(head) > 65536:
            return c.close()
        head += d
    line = head.split(b"\r\n")[0].decode(errors="replace").split()
    rest = head.split(b"\r\n\r\n", 1)[1]
    if len(line) != 3 or line[0] != "CONNECT" or line[1] not in targets:
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        return c.close()
    try:
        u = socket.create_connection(targets[line[1]], timeout=5)
        u.settimeout(None)
    except OSError:
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        return c.close()
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    if rest:
        u.sendall(rest)
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
    pump(c, u)


s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", port))
s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
