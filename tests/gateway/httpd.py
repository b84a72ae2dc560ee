#!/usr/bin/python3
"""httpd.py PORT DIR - the HTTP/1.1 (keep-alive) server behind the gateway
in the namespace tests: serves DIR on [::]:PORT (IPv4 and IPv6)."""
import functools, http.server, socket, sys


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[0], fmt % args))


port, root = int(sys.argv[1]), sys.argv[2]
Server(("::", port), functools.partial(Handler, directory=root)).serve_forever()
