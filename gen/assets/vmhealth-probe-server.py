#!/usr/bin/python3
"""Answer the health probes of a KubeVirt VM (written by vmhealth gen).

GET or HEAD of one of the --path values gets 200 "ok", any other path 404;
with no --path every path gets 200. While the file /run/vmhealth-probe-fail
exists every request gets 503, so you can watch what a failing readiness
or liveness probe does. Replace this with your application's own health
endpoint when it has one.

Written for Python 3.6 and later: RHEL 8 and CentOS 8 ship 3.6, which has
no http.server.ThreadingHTTPServer.
"""
import argparse
import http.server
import os
import socket
import socketserver
import ssl

FAIL_FILE = "/run/vmhealth-probe-fail"

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--path", action="append", default=[])
parser.add_argument("--tls-cert")
parser.add_argument("--tls-key")
args = parser.parse_args()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "vmhealth-probe"

    def answer(self, with_body):
        path = self.path.split("?", 1)[0]
        if os.path.exists(FAIL_FILE):
            code, body = 503, b"failing on purpose: " + FAIL_FILE.encode() + b" exists\n"
        elif not args.path or path in args.path:
            code, body = 200, b"ok\n"
        else:
            code, body = 404, b"not a health check path\n"
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

    def log_message(self, format, *log_args):
        pass  # the kubelet probes every few seconds; keep the journal quiet


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    tls = None  # an ssl.SSLContext for https probes

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's own thread, so a client
        # that connects and says nothing (a tcpSocket probe) holds up no one.
        request.settimeout(10)
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                return
        super().finish_request(request, client_address)


class DualStackServer(Server):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


try:
    server = DualStackServer(("::", args.port), Handler)
except OSError:  # no IPv6 in this guest
    server = Server(("0.0.0.0", args.port), Handler)
if args.tls_cert:
    server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.tls.load_cert_chain(args.tls_cert, args.tls_key)
server.serve_forever()
