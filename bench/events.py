#!/usr/bin/python3
"""The events benchmark line (issue 23): uploads per second of small files with one webhook rule against none.

    python3 bench/events.py [--files 200] [--size 4096] [--rounds 7] [--sync true|false] [--aot] [--store postgres]

Without --aot it builds nothing: run `dotnet build Gatehouse.slnx -c Release` first, and it runs that JIT-compiled
build; with --aot it first compiles the Native AOT executable the Debian package ships (a few minutes) and runs that,
with no JIT warming up during the rounds. With --store postgres both servers keep their accounts and the event queue
in a PostgreSQL cluster of its own (Debian's postgresql, its defaults: fsync on), one database each, where the 226
waits for the event's commit; without it, in SQLite. Starts two Gatehouse servers, identical but for one `upload` rule with a webhook to a receiver (Python's http.server, HTTP/1.1 keep-alive,
answering 200, in a process of its own), each with its own SQLite account store and home under a temporary directory.
Each round runs one batch on each server in turn (the order alternating), a batch being one plain-FTP session that
uploads FILES files of SIZE bytes (ftplib, TCP_NODELAY), timed from the first STOR to the last 226. Batches are
interleaved so that whatever else the machine does falls on both. Also reads the server's CPU time (/proc) around
each batch, once every webhook of the batch has arrived: CPU per upload is steadier than uploads per second on a busy
machine. Prints each round, the median, minimum and maximum of both per server, and the ratios of the medians.
"""
import argparse
import ftplib
import glob
import http.server
import io
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from files import without_nagle  # noqa: E402
from servers import cpu_seconds, publish_aot, stop_process, wait_for_port  # noqa: E402

PASSWORD = "Bench-Pass-Word-7391"
USER = "partner"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_webhooks(port, received):
    """The receiver, in a process of its own so that it does not take the uploading client's interpreter."""
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with received.get_lock():
                received.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


class Postgres:
    """A throwaway PostgreSQL cluster in WORKDIR on a free loopback port, trusting local connections; as root it runs as
    the package's service account, since PostgreSQL refuses to run as root."""

    def __init__(self, workdir):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]))[-1]
        self.root = os.path.join(workdir, "postgres")
        self.data = os.path.join(self.root, "data")
        os.makedirs(self.root)
        self.port = free_port()
        if os.geteuid() == 0:
            os.chmod(workdir, 0o711)
            shutil.chown(self.root, "postgres")
        self.run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "gatehouse", "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8")
        self.process = subprocess.Popen(self.as_owner(os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port), "-k", self.root,
                                                      "-c", "listen_addresses=127.0.0.1"),
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.root, "server.log"), "a"))
        wait_for_port(self.port, self.process)

    def as_owner(self, *command):
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)

    def run(self, *command):
        subprocess.run(self.as_owner(*command), check=True, capture_output=True)

    def database(self, name):
        """A new database; its connection string."""
        self.run(os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "gatehouse", name)
        return "Host=127.0.0.1;Port=%d;Database=%s;Username=gatehouse" % (self.port, name)

    def stop(self):
        stop_process(self.process)


class Server:
    def __init__(self, command, workdir, name, sync, receiver_port, connection_string=None):
        self.command = command
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
        if connection_string:
            self.environment["GATEHOUSE_AccountStore__Provider"] = "PostgreSql"
            self.environment["GATEHOUSE_AccountStore__ConnectionString"] = connection_string
        self.log = open(os.path.join(workdir, name, "server.log"), "a")
        self.process = None

    @property
    def pid(self):
        return self.process.pid

    def cli(self, *arguments, stdin=None):
        subprocess.run(self.command + list(arguments), input=stdin, text=True, env=self.environment, check=True, capture_output=True)

    def start(self):
        self.process = subprocess.Popen(self.command + ["serve"], env=self.environment, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def stop(self):
        stop_process(self.process)


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
    parser.add_argument("--aot", action="store_true", help="run the Native AOT build (compiled first) instead of the JIT one")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite", help="the account store of both servers")
    args = parser.parse_args()
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [publish_aot(repository)] if args.aot else ["dotnet", os.path.join(repository, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")]
    workdir = tempfile.mkdtemp(prefix="gatehouse-bench-events-")
    receiver_port = free_port()
    received = multiprocessing.Value("i", 0)
    receiver = multiprocessing.Process(target=serve_webhooks, args=(receiver_port, received), daemon=True)
    receiver.start()
    wait_for_port(receiver_port)
    postgres = None
    servers = {}
    try:
        postgres = Postgres(workdir) if args.store == "postgres" else None
        for name in ("none", "webhook"):
            servers[name] = Server(command, workdir, name, args.sync, receiver_port, postgres.database(name) if postgres else None)
        for server in servers.values():
            server.cli("user", "add", USER, "--password-stdin", "--home", server.home, stdin=PASSWORD + "\n")
        servers["webhook"].cli("rule", "add", "bench", "--on", "upload", "--webhook", "http://127.0.0.1:%d/hook" % receiver_port)
        for server in servers.values():
            server.start()
        delivered = 0

        def measure(name, directory):
            """Uploads per second, and the server's CPU milliseconds per upload once every webhook of the batch is in."""
            nonlocal delivered
            before = cpu_seconds(servers[name].pid)
            rate = batch(servers[name].port, directory, args.files, args.size)
            if name == "webhook":
                delivered += args.files
                deadline = time.monotonic() + 60
                while received.value < delivered and time.monotonic() < deadline:
                    time.sleep(0.05)
            return rate, (cpu_seconds(servers[name].pid) - before) * 1000 / args.files

        for name in servers:
            measure(name, "warm-up")
        rates = {name: [] for name in servers}
        cpu = {name: [] for name in servers}
        for round_number in range(args.rounds):
            order = list(servers) if round_number % 2 == 0 else list(reversed(list(servers)))
            for name in order:
                rate, milliseconds = measure(name, "r%d" % round_number)
                rates[name].append(rate)
                cpu[name].append(milliseconds)
            print("round %d: none %.0f/s %.2f ms CPU, webhook %.0f/s %.2f ms CPU"
                  % (round_number + 1, rates["none"][-1], cpu["none"][-1], rates["webhook"][-1], cpu["webhook"][-1]), file=sys.stderr)
        print("%s build, %s store, uploads of %d files of %d bytes per batch, %d rounds, Storage:SyncUploads=%s; webhooks received: %d of %d"
              % ("Native AOT" if args.aot else "JIT", args.store, args.files, args.size, args.rounds, args.sync, received.value, delivered))
        for name in servers:
            print("%-8s uploads/s median %.0f (min %.0f, max %.0f); server CPU per upload median %.2f ms (min %.2f, max %.2f)"
                  % (name, statistics.median(rates[name]), min(rates[name]), max(rates[name]),
                     statistics.median(cpu[name]), min(cpu[name]), max(cpu[name])))
        print("webhook/none, medians: uploads/s %.3f, CPU per upload %.3f"
              % (statistics.median(rates["webhook"]) / statistics.median(rates["none"]), statistics.median(cpu["webhook"]) / statistics.median(cpu["none"])))
        print("per round webhook/none uploads/s: " + " ".join("%.2f" % (w / n) for w, n in zip(rates["webhook"], rates["none"])))
    finally:
        for server in servers.values():
            server.stop()
        if postgres:
            postgres.stop()
        receiver.terminate()
        receiver.join()
        shutil.rmtree(workdir, ignore_errors=True)


main()
