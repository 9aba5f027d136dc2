"""Workloads: each runs one measurement against a started server and returns {metric: value}."""
import os
import resource
import shutil
import subprocess

from servers import USER, PASSWORD, cpu_seconds

HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1 << 30


def _curl(server, tls, *arguments):
    command = ["curl", "--silent", "--show-error", "--user", "%s:%s" % (USER, PASSWORD), "--write-out", "%{time_total}"]
    if tls:
        # PROT P on the data connection; TLS 1.2 because curl 7.88 loses the end of TLS 1.3 uploads (curl #6149).
        command += ["--ssl-reqd", "--insecure", "--tls-max", "1.2"]
    result = subprocess.run(command + list(arguments), capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("curl failed on %s: %s" % (server.name, result.stderr.strip()))
    return float(result.stdout.strip())


def _own(server, path):
    if server.name != "gatehouse":
        shutil.chown(path, "gatehousebench", "gatehousebench")


def big_file(server, source, size, direction, tls):
    """Workload 1: one large file in one stream. MB/s and server CPU seconds per GiB."""
    url = "ftp://127.0.0.1:%d/" % server.port
    before = cpu_seconds(server.pid)
    if direction == "RETR":
        target = os.path.join(server.home, "big.bin")
        if not os.path.exists(target):
            shutil.copyfile(source, target)
            _own(server, target)
        seconds = _curl(server, tls, "--output", "/dev/null", url + "big.bin")
    else:
        seconds = _curl(server, tls, "--upload-file", source, url + "up.bin")
        uploaded = os.path.join(server.home, "up.bin")
        if os.path.getsize(uploaded) != size:
            raise RuntimeError("%s stored %d of %d bytes" % (server.name, os.path.getsize(uploaded), size))
        os.remove(uploaded)
    cpu = cpu_seconds(server.pid) - before
    return {"MB/s": size / seconds / 1e6, "server CPU s/GiB": cpu * GIB / size}


def small_files(server, count, size, tls):
    """Workload 2: one session, COUNT small files up then down. Files per second, and the client's CPU share."""
    before = cpu_seconds(server.pid)
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "files.py"), str(server.port), USER, PASSWORD,
                             "tls" if tls else "plain", str(count), str(size)], capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError("files.py failed on %s: %s" % (server.name, result.stderr.strip()[-500:]))
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    up, down = (float(value) for value in result.stdout.split())
    client = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    return {"up files/s": up, "down files/s": down, "server CPU s": cpu_seconds(server.pid) - before, "client CPU s": client}
