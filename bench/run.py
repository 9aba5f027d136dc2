#!/usr/bin/python3
"""Side-by-side FTP server benchmark: starts each server, runs every workload against each in turn (interleaved,
repeated), and prints a Markdown table of medians, minima, maxima and ratios to vsftpd. Run as root (vsftpd needs it).

Usage: sudo python3 bench/run.py [--quick] [--runs N] [--servers gatehouse,vsftpd] [--output FILE]
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile

import servers
import workloads

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {"gatehouse": servers.Gatehouse, "vsftpd": servers.Vsftpd}
REFERENCE = "vsftpd"


def certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    os.chmod(key, 0o644)
    return cert, key


def random_file(path, size):
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            chunk = min(remaining, 1 << 24)
            out.write(os.urandom(chunk))
            remaining -= chunk


def plan(source, big, count, small):
    """(workload name, function) pairs; each function takes a started server."""
    result = []
    for direction in ("RETR", "STOR"):
        for tls in (False, True):
            name = "%s %d MiB %s" % (direction, big >> 20, "TLS" if tls else "plain")
            result.append((name, lambda server, d=direction, t=tls: workloads.big_file(server, source, big, d, t)))
    for tls in (False, True):
        name = "%d x %d KiB one session %s" % (count, small >> 10, "TLS" if tls else "plain")
        result.append((name, lambda server, t=tls: workloads.small_files(server, count, small, t)))
    return result


def table(results, names, order):
    lines = ["| workload | metric | server | median | min | max | ratio to %s (median) |" % REFERENCE, "|---|---|---|---|---|---|---|"]
    for workload in order:
        metrics = results[(workload, names[0])][0].keys()
        for metric in metrics:
            reference = None
            if (workload, REFERENCE) in results:
                reference = statistics.median(run[metric] for run in results[(workload, REFERENCE)])
            for name in names:
                values = [run[metric] for run in results[(workload, name)]]
                median = statistics.median(values)
                ratio = "%.2f" % (median / reference) if reference else "-"
                lines.append("| %s | %s | %s | %.2f | %.2f | %.2f | %s |" % (workload, metric, name, median, min(values), max(values), ratio))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="256 MiB instead of 1 GiB, 200 small files instead of 1,000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default="gatehouse,vsftpd")
    parser.add_argument("--output")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: vsftpd and the system bench account need it")

    names = args.servers.split(",")
    servers.install([("vsftpd", "/usr/sbin/vsftpd"), ("curl", "curl"), ("openssl", "openssl")])
    subprocess.run(["dotnet", "build", os.path.join(REPOSITORY, "src", "Gatehouse"), "-c", "Release", "--nologo", "-v", "quiet"], check=True)

    big = (256 if args.quick else 1024) << 20
    count = 200 if args.quick else 1000
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as work:
        os.chmod(work, 0o755)
        cert, key = certificate(work)
        source = os.path.join(work, "source.bin")
        random_file(source, big)
        started = []
        try:
            for index, name in enumerate(names):
                port, passive = 31000 + index * 200, (31001 + index * 200, 31199 + index * 200)
                server = SERVERS[name](REPOSITORY, work, port, passive, cert, key) if name == "gatehouse" else SERVERS[name](work, port, passive, cert, key)
                server.start()
                started.append(server)

            steps = plan(source, big, count, 4096)
            results = {}
            for run in range(args.runs):
                for workload, measure in steps:
                    for server in started:
                        results.setdefault((workload, server.name), []).append(measure(server))
                        print("run %d %s %s: %s" % (run + 1, workload, server.name, results[(workload, server.name)][-1]), file=sys.stderr)
            resident = ["- %s: %.1f MiB resident (whole process tree) after the run" % (server.name, servers.resident_bytes(server.pid) / (1 << 20)) for server in started]
        finally:
            for server in started:
                server.stop()

    report = "# Benchmark %s\n\n%d runs%s, %d cores, loopback; client and servers share the machine.\n\n%s\n\n%s\n" % (
        datetime.date.today().isoformat(), args.runs, " (quick)" if args.quick else "", os.cpu_count(),
        table(results, names, [name for name, _ in steps]), "\n".join(resident))
    print(report)
    if args.output:
        with open(args.output, "w") as out:
            out.write(report)


main()
