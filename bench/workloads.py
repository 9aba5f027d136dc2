"""Workloads: each runs one measurement against a started server and returns {metric: value}."""
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time

from servers import USER, PASSWORD, resident_bytes

HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1 << 30
LOADGEN = os.path.join(HERE, "loadgen", "bin", "Release", "net10.0", "loadgen")
# Numbers the small-file rounds, each of which gets a directory of its own.
_ROUNDS = itertools.count(1)


def _curl(server, tls, *arguments):
    command = ["curl", "--silent", "--show-error", "--user", "%s:%s" % (USER, PASSWORD), "--write-out", "%{time_total}"]
    if tls:
        # PROT P on the data connection; TLS 1.2 because curl 7.88 loses the end of TLS 1.3 uploads (curl #6149).
        command += ["--ssl-reqd", "--insecure", "--tls-max", "1.2"]
    result = subprocess.run(command + list(arguments), capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("curl failed on %s: %s" % (server.name, result.stderr.strip()))
    return float(result.stdout.strip())


def own(server, path):
    if server.system_account:
        shutil.chown(path, "gatehousebench", "gatehousebench")


def _settle(read_path):
    """Puts the file a transfer will read into the page cache and writes out what earlier steps left dirty. Without it
    the idle workload (ProFTPD alone holds 19 GB for its 10,000 sessions, and there is no swap) can evict the 1 GiB
    files, and whichever server comes first in the next round pays for the disk reads (measured by hand: Gatehouse
    stored 1 GiB at 2,425 MB/s from a dropped cache, 4,631 MB/s the next time)."""
    os.sync()
    block = bytearray(1 << 20)
    with open(read_path, "rb", buffering=0) as source:
        while source.readinto(block):
            pass


def big_file(server, source, size, direction, tls):
    """Workload 1: one large file in one stream. MB/s and server CPU seconds per GiB."""
    url = "ftp://127.0.0.1:%d/" % server.port
    if direction == "RETR":
        target = os.path.join(server.home, "big.bin")
        if not os.path.exists(target):
            shutil.copyfile(source, target)
            own(server, target)
        _settle(target)
        before = server.cpu()
        seconds = _curl(server, tls, "--output", "/dev/null", url + "big.bin")
    else:
        _settle(source)
        before = server.cpu()
        seconds = _curl(server, tls, "--upload-file", source, url + "up.bin")
        uploaded = os.path.join(server.home, "up.bin")
        if os.path.getsize(uploaded) != size:
            raise RuntimeError("%s stored %d of %d bytes" % (server.name, os.path.getsize(uploaded), size))
        os.remove(uploaded)
    cpu = server.cpu() - before
    return {"MB/s": size / seconds / 1e6, "server CPU s/GiB": cpu * GIB / size}


def small_files(server, count, size, tls):
    """Workload 2: one session, COUNT small files up then down. Files per second, and the client's CPU share.

    Each round writes into a directory of its own and deletes nothing: the files go with the work directory at the
    end. On ext4 without a journal (this machine's root) every file creation scans past each inode freed in the last
    30 seconds (recently_deleted), so a round that deleted its 1,000 files slowed whichever round created files next
    in that block group: measured, 31 % of the server's CPU and a third of its upload rate. Which server paid for it
    depended on the order and timing of the rounds, not on the server."""
    directory = "small-%d" % next(_ROUNDS)
    before = server.cpu()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "files.py"), str(server.port), USER, PASSWORD,
                             "tls" if tls else "plain", str(count), str(size), directory], capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("files.py failed on %s: %s" % (server.name, result.stderr.strip()[-500:]))
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    up, down = (float(value) for value in result.stdout.split())
    client = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    return {"up files/s": up, "down files/s": down, "server CPU s": server.cpu() - before, "client CPU s": client}


def _client_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _loadgen(server, tls, mode, *arguments, timeout=900):
    result = subprocess.run([LOADGEN, mode, str(server.port), USER, PASSWORD, "tls" if tls else "plain"] + [str(a) for a in arguments],
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError("loadgen %s failed on %s: %s" % (mode, server.name, result.stderr.strip()[-500:]))
    return json.loads(result.stdout.strip().splitlines()[-1])


def churn(server, tls, clients, seconds):
    """Workload 3: CLIENTS concurrent clients loop connect, log in, RETR 4 KiB, QUIT. Sessions/s, latency percentiles."""
    target = os.path.join(server.home, "churn.bin")
    if not os.path.exists(target):
        with open(target, "wb") as out:
            out.write(os.urandom(4096))
        own(server, target)
    before, client_before, started = server.cpu(), _client_cpu(), time.time()
    result = _loadgen(server, tls, "churn", clients, seconds, "churn.bin")
    wall = time.time() - started
    if result["Errors"]:
        print("  %s churn: %d failed sessions, first: %s" % (server.name, result["Errors"], result["FirstError"]))
    return {"sessions/s": result["PerSecond"], "p50 ms": result["P50Milliseconds"], "p99 ms": result["P99Milliseconds"],
            "failed sessions": result["Errors"], "server CPU s": server.cpu() - before,
            "client CPU (cores)": (_client_cpu() - client_before) / wall}


MLSD_LESS = {"vsftpd"}


def listing_command(server):
    return "LIST" if server.name in MLSD_LESS else "MLSD"


WARM_UP_BYTES = 64 << 20


def warm_up(server, seconds):
    """SECONDS of untimed sessions and 64 MiB up- and downloads, plain and TLS, so that no timed step meets code the
    JIT has not compiled yet. (The slow first 1 GiB upload after a restart that earlier reports blamed on the JIT,
    1,507 MB/s against 4,861 warm, was its source file being read from disk: see _settle.) Run before the first
    round, and after each restart (see idle)."""
    source = os.path.join(server.workdir, "warm-up.bin")
    if not os.path.exists(source):
        with open(source, "wb") as out:
            out.write(os.urandom(WARM_UP_BYTES))
    for tls in (False, True):
        try:
            churn(server, tls, 10, seconds)
            url = "ftp://127.0.0.1:%d/warm-up.bin" % server.port
            _curl(server, tls, "--upload-file", source, url)
            _curl(server, tls, "--output", "/dev/null", url)
        except RuntimeError as failure:
            print("warm-up on %s: %s" % (server.name, failure), file=sys.stderr)


def idle(server, count, warm_up_seconds, tls=True):
    """Workload 4: COUNT logged-in sessions, TLS or plain, held open. Resident memory per session, and how many answered a NOOP."""
    # A fresh process: a heap that earlier workloads grew would absorb the sessions, and the figure would flatter a
    # single-process server (measured: 12 KiB against 50 KiB per session for Gatehouse).
    server.stop()
    server.start()
    baseline = resident_bytes(server.pid)
    process = subprocess.Popen([LOADGEN, "idle", str(server.port), USER, PASSWORD, "tls" if tls else "plain", str(count)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError("loadgen idle on %s: %s" % (server.name, line.strip()))
        time.sleep(2)
        held = resident_bytes(server.pid)
        process.stdin.write("\n")
        process.stdin.flush()
        result = json.loads(process.stdout.read().strip().splitlines()[-1])
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    # The next round must not meet a freshly started server whose code the JIT has not compiled yet.
    warm_up(server, warm_up_seconds)
    if result["FirstError"]:
        print("  %s idle: %d failed, first: %s" % (server.name, result["Failed"], result["FirstError"]))
    return {"sessions held": result["Alive"], "KiB per session": (held - baseline) / 1024 / count,
            "seconds to open": result["OpenSeconds"]}


def listing(server, entries, command):
    """Workload 5: a listing of a directory of ENTRIES files (plain data connection). Seconds and peak server memory growth."""
    directory = os.path.join(server.home, "many")
    if not os.path.isdir(directory):
        os.makedirs(directory + ".tmp", exist_ok=True)
        for index in range(entries):
            path = os.path.join(directory + ".tmp", "entry-%06d.dat" % index)
            open(path, "w").close()
            if server.system_account:
                os.chown(path, *_bench_ids())
        os.rename(directory + ".tmp", directory)
        own(server, directory)
    # Two listings; the first is untimed. It warms the kernel's directory caches and a JIT-compiled server's listing
    # code (measured: Gatehouse's first 50,000-entry listing in a process takes 0.24 s, the next ones 0.14 to 0.16 s),
    # so the timed one is what a server that lists now and then does. Memory is sampled across both, from before the
    # first, so a heap the first one grew cannot hide the peak.
    baseline = resident_bytes(server.pid)
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], resident_bytes(server.pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        _loadgen(server, False, "list", command, "many")
        result = _loadgen(server, False, "list", command, "many")
    finally:
        done.set()
        sampler.join()
    return {"seconds": result["Seconds"], "peak memory growth MiB": (peak[0] - baseline) / (1 << 20), "listing MiB": result["Bytes"] / (1 << 20)}


def _bench_ids():
    import pwd
    entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def tls_ceiling(script, certificate, key, size):
    """The single-stream TLS ceiling: a bare OpenSSL socket pair (Python's ssl) over loopback, the cipher curl negotiates."""
    result = subprocess.run(["/usr/bin/python3", script, certificate, key, str(size), "ECDHE-RSA-AES256-GCM-SHA384"],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError("tls_pair.py failed: %s" % result.stderr.strip()[-500:])
    return {"MB/s": float(result.stdout)}
