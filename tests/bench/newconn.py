#!/usr/bin/python3
"""newconn.py HOST PORT PATH TOKEN N - N sequential requests, each on a new
TCP connection; prints "p50_us p99_us" of connect() to the last byte of
the response (HTTP/1.1, Connection: close)."""
import socket, sys, time

host, port, path, token, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
req = ("GET %s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nConnection: close\r\n\r\n"
       % (path, host, token)).encode()
t = []
for i in range(n):
    t0 = time.perf_counter()
    s = socket.create_connection((host, port))
    s.sendall(req)
    while s.recv(65536):
        pass
    t.append(time.perf_counter() - t0)
    s.close()
t.sort()
print("%.0f %.0f" % (t[len(t) // 2] * 1e6, t[int(len(t) * 0.99)] * 1e6))
