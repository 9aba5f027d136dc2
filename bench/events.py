#!/usr/bin/python3
"""The events benchmark line (issue 23): uploads per second of small files with one webhook rule against none.

    python3 bench/events.py [--files 200] [--size 4096] [--rounds 7] [--sync true|false]

Builds nothing: run `dotnet build Gatehouse.slnx -c Release` first. Starts two Gatehouse servers from the Release
build, identical but for one `upload` rule with a webhook to a receiver in this process (Python's http.server,
HTTP/1.1 keep-alive, answering 200), each with its own SQLite account store and home under a temporary directory.
Each round runs one batch on each server in turn (the order alternating), a batch being one plain-FTP session that
uploads FILES files of SIZE bytes (ftplib, TCP_NODELAY) and is timed from the first STOR to the last 226. Batches are
interleaved so that whatever else the machine does falls on both. Prints each round and the median, minimum and
maximum uploads per second of each server, and the ratio of the medians. No root needed.
"""
import argparse
import ftplib
import http.server
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from files import without_nagle  # noqa: E402
from servers import wait_for_port  # noqa: E402

PASSWORD = "Bench-Pass-Word-7391"
USER = "bench"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_receiver():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


class Server:
    def __init__(self, dll, workdir, name, sync, receiver_port):
        self.dll = dll
        self.port = free_port()
        first = 40000 + (self.port % 200) * 20
        self.data = os.path.join(workdir, name, "data")
        self.home = os.path.join(workdir, name, "home")
        os.makedirs(self.home)
        self.environment = dict(os.environ, **{
            "GATEHOUSE_DataDirectory": self.data,
            "GATEHOUSE_Ftp__ListenAddresses__0": "127.0.0.1",
            "GATEHOUSE_Ftp__ExplicitPort": str(self.port),
            "GATEHOUSE_Ftp__PassivePorts": "%d-%d" % (first, first + 19),
            "GATEHOUSE_Tls__Policy": "Optional",
            "GATEHOUSE_Bans__Enabled": "false",
            "GATEHOUSE_Storage__SyncUploads": sync,
            "GATEHOUSE_Events__WebhookAllowedHosts__0": "127.0.0.1:%d" % receiver_port,
            "GATEHOUSE_Logging__LogLevel__Default": "Warning",
        })
        self.log = open(os.path.join(workdir, name, "server.log"), "a")
        self.process = None

    def cli(self, *arguments, stdin=None):
        subprocess.run(["dotnet", self.dll, *arguments], input=stdin, text=True, env=self.environment, check=True, capture_output=True)

    def start(self):
        self.process = subprocess.Popen(["dotnet", self.dll, "serve"], env=self.environment, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def batch(port, directory, files, size):
    data = os.urandom(size)
    ftp = without_nagle(ftplib.FTP)(timeout=60)
    ftp.connect("127.0.0.1", port)
    ftp.login(USER, PASSWORD)
    ftp.mkd(directory)
    started = time.perf_counter()
    for index in range(files):
        ftp.storbinary("STOR %s/f%d.bin" % (directory, index), io.BytesIO(data))
    elapsed = time.perf_counter() - started
    ftp.quit()
    return files / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sync", default="true", help="Storage:SyncUploads of both servers")
    args = parser.parse_args()
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dll = os.path.join(repository, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")
    workdir = tempfile.mkdtemp(prefix="gatehouse-bench-events-")
    receiver, received = start_receiver()
    receiver_port = receiver.server_address[1]
    servers = {name: Server(dll, workdir, name, args.sync, receiver_port) for name in ("none", "webhook")}
    try:
        for server in servers.values():
            server.cli("user", "add", USER, "--password-stdin", "--home", server.home, stdin=PASSWORD + "\n")
        servers["webhook"].cli("rule", "add", "bench", "--on", "upload", "--webhook", "http://127.0.0.1:%d/hook" % receiver_port)
        for server in servers.values():
            server.start()
        for name, server in servers.items():
            batch(server.port, "warm-up", args.files, args.size)
        rates = {name: [] for name in servers}
        for round_number in range(args.rounds):
            order = list(servers) if round_number % 2 == 0 else list(reversed(list(servers)))
            for name in order:
                rates[name].append(batch(servers[name].port, "r%d" % round_number, args.files, args.size))
            print("round %d: none %.0f/s, webhook %.0f/s" % (round_number + 1, rates["none"][-1], rates["webhook"][-1]), file=sys.stderr)
        expected = (args.rounds + 1) * args.files
        deadline = time.monotonic() + 60
        while len(received) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        print("uploads of %d files of %d bytes per batch, %d rounds, Storage:SyncUploads=%s; webhooks received: %d of %d"
              % (args.files, args.size, args.rounds, args.sync, len(received), expected))
        for name, values in rates.items():
            print("%-8s median %.0f/s  min %.0f  max %.0f" % (name, statistics.median(values), min(values), max(values)))
        print("webhook/none (medians): %.3f" % (statistics.median(rates["webhook"]) / statistics.median(rates["none"])))
        print("per round webhook/none: " + " ".join("%.2f" % (w / n) for w, n in zip(rates["webhook"], rates["none"])))
    finally:
        for server in servers.values():
            server.stop()
        receiver.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


main()
