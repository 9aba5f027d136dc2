#!/usr/bin/python3
"""A webhook receiver built on Python's http.server, as partners write them: HTTP/1.1, connections kept alive.

--close-every N: every Nth request that arrives on a kept-alive connection (not the first of a connection) is read and
then the connection is closed without an answer. That is what a client sees when a receiver closes an idle kept-alive
connection just as the client sends the next request on it (a race that otherwise shows about once in a hundred
deliveries, depending on timing): made to happen every N requests, so that a test can count on it.

Usage: webhook_receiver.py --port-file F --log F [--close-every N]. Writes its port to the port file, appends the body
of each request it answers to the log, one line each, and answers 200.
"""
import argparse
import http.server
import itertools
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--close-every", type=int, default=0)
    args = parser.parse_args()
    reused = itertools.count(1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.answered = 0

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.answered > 0 and args.close_every > 0 and next(reused) % args.close_every == 0:
                self.close_connection = True
                return
            with open(args.log, "ab") as log:
                log.write(body.replace(b"\n", b" ") + b"\n")
            self.answered += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as port_file:
        port_file.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


main()
