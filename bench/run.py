#!/usr/bin/python3
"""Side-by-side FTP server benchmark: starts each server, runs every workload against each in turn (interleaved,
repeated), and prints a Markdown table of medians, minima, maxima and ratios to vsftpd. Run as root (vsftpd needs it).

Usage: sudo python3 bench/run.py [--quick] [--runs N] [--servers gatehouse,vsftpd,pure-ftpd,proftpd,pyftpdlib]
                                 [--workloads big,small,churn,idle,listing] [--output FILE]
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time

import raw
import servers
import workloads

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
PREFIX = "/var/tmp/gatehouse-bench-peers"
JIT_BUILD = ["dotnet", os.path.join(REPOSITORY, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")]
SERVERS = {
    "gatehouse": lambda *args: servers.Gatehouse(JIT_BUILD, *args),
    "gatehouse-aot": lambda *args: servers.GatehouseAot([os.path.join(servers.AOT_BUILD, "gatehouse")], *args),
    "gatehouse-nosync": lambda *args: servers.GatehouseNoSync(JIT_BUILD, *args),
    "gatehouse-mss1200": lambda *args: servers.GatehouseSmallSegments(JIT_BUILD, *args),
    "vsftpd": servers.Vsftpd,
    "pure-ftpd": lambda *args: servers.PureFtpd(PREFIX, *args),
    "proftpd": lambda *args: servers.Proftpd(PREFIX, *args),
    "pyftpdlib": lambda *args: servers.Pyftpdlib(PREFIX, *args),
}
# Packages that conflict with vsftpd (or need no install) go into PREFIX; their shared libraries are installed normally.
UNPACKED = ["pure-ftpd", "proftpd-core", "proftpd-mod-crypto", "python3-pyftpdlib", "python3-openssl"]
LIBRARIES = [("libhiredis0.14", "/usr/lib/x86_64-linux-gnu/libhiredis.so.0.14"), ("libmemcached11", "/usr/lib/x86_64-linux-gnu/libmemcached.so.11"),
             ("libmemcachedutil2", "/usr/lib/x86_64-linux-gnu/libmemcachedutil.so.2"), ("libpcre2-posix3", "/usr/lib/x86_64-linux-gnu/libpcre2-posix.so.3"),
             ("libsodium23", "/usr/lib/x86_64-linux-gnu/libsodium.so.23"), ("python3-cryptography", "/usr/lib/python3/dist-packages/cryptography")]
REFERENCE = "vsftpd"


def certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    os.chmod(key, 0o644)
    return cert, key


def machine(homes):
    """The machine and software the figures come from, for the report's header; HOMES is where the homes were."""
    def first(path, prefix, separator=":"):
        with open(path) as source:
            return next((line.split(separator, 1)[1].strip() for line in source if line.startswith(prefix)), "?")

    def output(*command):
        result = subprocess.run(command, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else "?"

    memory = int(first("/proc/meminfo", "MemTotal").split()[0]) >> 20
    os_name = first("/etc/os-release", "PRETTY_NAME", "=").strip('"')
    debs = os.path.join(PREFIX, "debs")
    peers = sorted(os.listdir(debs)) if os.path.isdir(debs) else []
    return "\n".join([
        "- CPU: %s, %d cores; memory: %d GiB" % (first("/proc/cpuinfo", "model name"), os.cpu_count(), memory),
        "- OS: %s, kernel %s; file system of the homes: %s%s" % (os_name, os.uname().release, output("findmnt", "-no", "FSTYPE,OPTIONS", "-T", homes),
                                                                   ext4_journal(output("findmnt", "-no", "SOURCE", "-T", homes))),
        "- .NET SDK %s (Gatehouse in Release); %s" % (output("dotnet", "--version"), output("openssl", "version")),
        "- vsftpd %s (apt); unpacked: %s" % (output("dpkg-query", "-W", "-f", "${Version}", "vsftpd"), ", ".join(peers)),
    ])


def ext4_journal(device):
    """Without a journal ext4 behaves differently under file churn (see workloads.small_files): say which it is."""
    try:
        with open("/sys/fs/ext4/%s/journal_task" % os.path.basename(device)) as source:
            task = source.read().strip()
    except OSError:
        return ""
    return "; journal: %s" % ("none" if task == "<none>" else task)


def random_file(path, size):
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            chunk = min(remaining, 1 << 24)
            out.write(os.urandom(chunk))
            remaining -= chunk


def plan(source, big, count, small, sizes, chosen):
    """(workload name, function) pairs; each function takes a started server."""
    result = []
    if "big" in chosen:
        for direction in ("RETR", "STOR"):
            for tls in (False, True):
                name = "%s %d MiB %s" % (direction, big >> 20, "TLS" if tls else "plain")
                result.append((name, lambda server, d=direction, t=tls: workloads.big_file(server, source, big, d, t)))
    if "raw" in chosen:
        payload = open(source, "rb").read()
        for direction in ("STOR", "RETR"):
            for tls in (False, True):
                name = "%s %d MiB raw socket, fresh session, %s" % (direction, big >> 20, "TLS" if tls else "plain")
                result.append((name, lambda server, d=direction, t=tls: raw.big_file(server, payload, d, t)))
    if "small" in chosen:
        for tls in (False, True):
            name = "%d x %d KiB one session %s" % (count, small >> 10, "TLS" if tls else "plain")
            result.append((name, lambda server, t=tls: workloads.small_files(server, count, small, t)))
    if "churn" in chosen:
        for tls in (False, True):
            name = "churn, %d clients, %d s, %s" % (sizes["clients"], sizes["seconds"], "TLS" if tls else "plain")
            result.append((name, lambda server, t=tls: workloads.churn(server, t, sizes["clients"], sizes["seconds"])))
    if "idle" in chosen:
        result.append(("%d idle TLS sessions" % sizes["idle"], lambda server: workloads.idle(server, sizes["idle"], sizes["warm-up seconds"])))
        result.append(("%d idle plain sessions" % sizes["idle"], lambda server: workloads.idle(server, sizes["idle"], sizes["warm-up seconds"], tls=False)))
    if "listing" in chosen:
        result.append(("listing of %d entries (MLSD; LIST for vsftpd)" % sizes["entries"],
                       lambda server: workloads.listing(server, sizes["entries"], workloads.listing_command(server))))
    return result


def stores_files(workload):
    """Whether a workload of plan() (by its name) uploads: the large-file STORs and the small files."""
    return workload.startswith("STOR") or "one session" in workload


HIGHER_IS_BETTER = {"MB/s", "up files/s", "down files/s", "sessions/s", "sessions held"}
INFORMATION_ONLY = {"client CPU s", "client CPU (cores)", "listing MiB", "seconds to open"}


def table(results, order):
    """Median, min, max per server; ratio of medians to vsftpd; and Gatehouse's standing against the best peer
    (above 1 means Gatehouse is better, whichever direction the metric runs)."""
    lines = ["| workload | metric | server | median | min | max | ratio to %s | Gatehouse vs best peer |" % REFERENCE,
             "|---|---|---|---|---|---|---|---|"]
    for workload in order:
        names = [name for (w, name) in results if w == workload and results[(w, name)]]
        for metric in results[(workload, names[0])][0]:
            medians = {name: statistics.median(run[metric] for run in results[(workload, name)]) for name in names}
            reference = medians.get(REFERENCE)
            peers = {name: value for name, value in medians.items() if not name.startswith("gatehouse") and name != "openssl pair"}
            for name in names:
                values = [run[metric] for run in results[(workload, name)]]
                ratio = "%.2f" % (medians[name] / reference) if reference else "-"
                standing = "-"
                if name.startswith("gatehouse") and peers and metric not in INFORMATION_ONLY:
                    if metric in HIGHER_IS_BETTER:
                        best = max(peers, key=peers.get)
                        score = medians[name] / peers[best] if peers[best] else float("inf")
                    else:
                        best = min(peers, key=peers.get)
                        score = peers[best] / medians[name] if medians[name] else float("inf")
                    standing = "%.2f (%s)" % (score, best)
                lines.append("| %s | %s | %s | %.2f | %.2f | %.2f | %s | %s |" % (workload, metric, name, medians[name], min(values), max(values), ratio, standing))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="256 MiB instead of 1 GiB, 200 small files instead of 1,000, 2 s churn, 500 idle sessions in the first run only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default="gatehouse,gatehouse-aot,gatehouse-nosync,vsftpd,pure-ftpd,proftpd,pyftpdlib")
    parser.add_argument("--workloads", default="big,small,churn,idle,listing")
    parser.add_argument("--output")
    parser.add_argument("--workdir", help="where homes and files live, e.g. /dev/shm (tmpfs: storage costs nothing, the server's own CPU shows)")
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up, and every server restarted before each of its measurements: first-transfer figures")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: vsftpd and the system bench account need it")

    began = time.time()
    names = args.servers.split(",")
    servers.install([("vsftpd", "/usr/sbin/vsftpd"), ("curl", "curl"), ("openssl", "openssl")] + LIBRARIES)
    servers.unpack(UNPACKED, PREFIX)
    for project in (os.path.join("src", "Gatehouse"), os.path.join("bench", "loadgen")):
        subprocess.run(["dotnet", "build", os.path.join(REPOSITORY, project), "-c", "Release", "--nologo", "-v", "quiet"], check=True)
    if "gatehouse-aot" in names:
        servers.publish_aot(REPOSITORY)

    big = (256 if args.quick else 1024) << 20
    count = 200 if args.quick else 1000
    # Quick mode holds idle sessions in the first run only: each idle measurement restarts the server and warms it up
    # again, which is most of its time.
    sizes = {"clients": 50, "seconds": 2 if args.quick else 15, "idle": 500 if args.quick else 10000, "idle runs": 1 if args.quick else args.runs,
             "entries": 50000, "warm-up seconds": 1 if args.quick else 2}
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-", dir=args.workdir) as work:
        os.chmod(work, 0o755)
        cert, key = certificate(work)
        source = os.path.join(work, "source.bin")
        random_file(source, big)
        started = []
        try:
            for index, name in enumerate(names):
                # Below the kernel's ephemeral range (32768+), so client sockets never hold a passive port. pure-ftpd caps
                # its sessions at half its passive range, so it gets enough ports for the idle-session workload.
                port = 1900 + index
                passive = (10000, 10000 + 2 * sizes["idle"] + 999) if name == "pure-ftpd" else (2000 + index * 200, 2199 + index * 200)
                server = SERVERS[name](work, port, passive, cert, key)
                server.start()
                started.append(server)

            for server in started:
                if not args.cold:
                    workloads.warm_up(server, sizes["warm-up seconds"])

            steps = plan(source, big, count, 4096, sizes, args.workloads.split(","))
            results = {}
            failures = []
            if "big" in args.workloads:
                steps.append(("TLS ceiling: bare OpenSSL pair, %d MiB" % (big >> 20), None))
            for run in range(args.runs):
                for workload, measure in steps:
                    if "idle" in workload and run >= sizes["idle runs"]:
                        continue
                    if measure is None:
                        results.setdefault((workload, "openssl pair"), []).append(
                            workloads.tls_ceiling(os.path.join(HERE, "tls_pair.py"), cert, key, big))
                        continue
                    for server in started:
                        if server.uploads_only and not stores_files(workload):
                            continue
                        if args.cold:
                            server.stop()
                            server.start()
                        measuring = time.time()
                        try:
                            results.setdefault((workload, server.name), []).append(measure(server))
                        except (RuntimeError, subprocess.TimeoutExpired) as failure:
                            # One server failing one workload is a finding for the report, not the end of the run.
                            failures.append("- %s, %s, run %d: %s" % (workload, server.name, run + 1, failure))
                            print("run %d %s %s FAILED: %s" % (run + 1, workload, server.name, failure), file=sys.stderr)
                            continue
                        print("run %d %s %s (%.0f s): %s" % (run + 1, workload, server.name, time.time() - measuring, results[(workload, server.name)][-1]),
                              file=sys.stderr)
            resident = ["- %s: %.1f MiB resident (whole process tree) after the run" % (server.name, servers.resident_bytes(server.pid) / (1 << 20)) for server in started]
        finally:
            for server in started:
                server.stop()

    style = "homes in %s; %s" % (args.workdir or tempfile.gettempdir(),
                                 "cold: no warm-up, each measurement in a server started just before it" if args.cold else "warm: every server warmed up first")
    report = "# Benchmark %s\n\n%d runs%s, loopback; client and servers share the machine; %s; wall time %.1f minutes.\n\n%s\n\n%s\n\n%s\n\n## Failed measurements\n\n%s\n" % (
        datetime.date.today().isoformat(), args.runs, " (quick)" if args.quick else "", style, (time.time() - began) / 60, machine(args.workdir or tempfile.gettempdir()),
        table(results, [name for name, _ in steps if any(key[0] == name for key in results)]), "\n".join(resident),
        "\n".join(failures) or "None.")
    print(report)
    if args.output:
        with open(args.output, "w") as out:
            out.write(report)


main()
