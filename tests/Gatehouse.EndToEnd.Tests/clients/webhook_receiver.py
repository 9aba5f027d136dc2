#!/usr/bin/python3
"""A webhook receiver built on Python's http.server, as partners write them: HTTP/1.1 keep-alive, and an idle
keep-alive connection closed by the server after --idle-timeout seconds (StreamRequestHandler.timeout).

Usage: webhook_receiver.py --port-file F --log F [--idle-timeout S]. Writes its port to the port file, then appends each
request's body to the log, one line each, and answers 200.
"""
import argparse
import http.server
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--idle-timeout", type=float, default=None)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = args.idle_timeout

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with open(args.log, "ab") as log:
                log.write(body.replace(b"\n", b" ") + b"\n")
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
