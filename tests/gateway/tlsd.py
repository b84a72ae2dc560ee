#!/usr/bin/python3
"""tlsd.py ADDR PORT CERT KEY - an HTTPS/1.1 server for the gateway tests:
answers GET with 200 "tls ok <SNI the server saw>" (python3's ssl, ALPN http/1.1)."""
import http.server, socket, ssl, sys

addr, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("tls ok %s\n" % getattr(self.request, "sni", "-")).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[0], fmt % args))


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["http/1.1"])


def sni(sock, name, context):
    sock.sni = name


ctx.sni_callback = sni
srv = http.server.ThreadingHTTPServer((addr, port), Handler)
srv.daemon_threads = True
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
