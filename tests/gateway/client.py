#!/usr/bin/python3
"""client.py HOST PORT [options] - a raw HTTP/1.1 client for the gateway
tests; prints one word per request: the status code, "reset", "timeout"
or "closed".

  --token T          X-Auth-Token: T        --bearer T   Authorization: Bearer T
  --path P           (default /)             --requests N on one connection
  --chunks N         send each request head in N pieces (TCP_NODELAY)
  --delay S          seconds between pieces (default 0.05)
  --pad N            add an N-byte X-Pad header
  --wait-file F      before each request after the first, wait until F exists
  --ready-file F     create F after the first response
  --timeout S        (default 5)
  --sport P          connect from local port P (SO_REUSEADDR)
  --tokens A,B,...   request i sends token i ("-": none); overrides --token
  --paths P,Q,...    request i asks for path i
  --pipeline 1       send every request head at once, then read the answers
  --post N           requests are POSTs with an N-byte body that looks like
                     a request head itself (Content-Length framing)
  --chunked 1        ... with a chunked body instead
"""
import os, socket, sys, time

a = sys.argv[3:]
o = {"path": "/", "requests": "1", "chunks": "1", "delay": "0.05", "pad": "0",
     "timeout": "5"}
for i in range(0, len(a), 2):
    o[a[i][2:]] = a[i + 1]
host, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(float(o["timeout"]))
if "sport" in o:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(o["sport"])))


def request(i=0):
    path = o["paths"].split(",")[i] if "paths" in o else o["path"]
    token = o.get("token")
    if "tokens" in o:
        token = o["tokens"].split(",")[i]
        token = None if token == "-" else token
    body = b""
    if int(o.get("post", "0")):
        fake = b"GET /admin HTTP/1.1\r\nX-Auth-Token: forged\r\n\r\n"
        body = (fake * (int(o["post"]) // len(fake) + 1))[:int(o["post"])]
    method = "POST" if body else "GET"
    h = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: kgw-test\r\n" % (method, path, host)
    if token:
        h += "X-Auth-Token: %s\r\n" % token
    if "bearer" in o:
        h += "Authorization: Bearer %s\r\n" % o["bearer"]
    if int(o["pad"]):
        h += "X-Pad: %s\r\n" % ("x" * int(o["pad"]))
    if body and o.get("chunked") == "1":
        h += "Transfer-Encoding: chunked\r\n\r\n"
        half = len(body) // 2
        return h.encode() + b"%x;x=1\r\n" % half + body[:half] + b"\r\n" + \
            b"%x\r\n" % (len(body) - half) + body[half:] + b"\r\n0\r\n\r\n"
    if body:
        h += "Content-Length: %d\r\n" % len(body)
    return (h + "\r\n").encode() + body


def read_response(f):
    line = f.readline()
    if not line:
        return "closed"
    status = line.split()[1].decode()
    n = 0
    while True:
        l = f.readline()
        if l in (b"\r\n", b"\n", b""):
            break
        if l.lower().startswith(b"content-length:"):
            n = int(l.split(b":")[1])
    while n > 0:
        chunk = f.read(min(n, 65536))
        if not chunk:
            return "closed"
        n -= len(chunk)
    return status


out = []
try:
    s.connect((host, port))
    f = s.makefile("rb")
    if o.get("pipeline") == "1":
        s.sendall(b"".join(request(i) for i in range(int(o["requests"]))))
        for r in range(int(o["requests"])):
            out.append(read_response(f))
        o["requests"] = "0"
    for r in range(int(o["requests"])):
        if r > 0 and "wait-file" in o:
            while not os.path.exists(o["wait-file"]):
                time.sleep(0.02)
        data = request(r)
        k = int(o["chunks"])
        step = (len(data) + k - 1) // k
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            if i + step < len(data):
                time.sleep(float(o["delay"]))
        out.append(read_response(f))
        if r == 0 and "ready-file" in o:
            open(o["ready-file"], "w").close()
except ConnectionResetError:
    out.append("reset")
except (socket.timeout, TimeoutError):
    out.append("timeout")
except BrokenPipeError:
    out.append("reset")
print(" ".join(out))
