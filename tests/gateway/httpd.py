#!/usr/bin/python3
"""httpd.py PORT DIR - the HTTP/1.1 (keep-alive) server behind the gateway
in the namespace tests: serves DIR on [::]:PORT (IPv4 and IPv6).
GET /trickle sends 16 KB every 50 ms for 15 s (a download that stays in
progress at the TCP level); POST answers 200 with the body's length."""
import functools, http.server, socket, sys, time


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def do_GET(self):
        if self.path != "/trickle":
            return super().do_GET()
        n = 300
        self.send_response(200)
        self.send_header("Content-Length", str(n * 16384))
        self.end_headers()
        try:
            for _ in range(n):
                self.wfile.write(b"x" * 16384)
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def do_POST(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            n = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                n += len(self.rfile.read(size))
                self.rfile.readline()
        else:
            n = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        body = b"%d\n" % n
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[0], fmt % args))


port, root = int(sys.argv[1]), sys.argv[2]
Server(("::", port), functools.partial(Handler, directory=root)).serve_forever()
