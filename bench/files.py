#!/usr/bin/python3
"""Workload 2's client: one session uploads COUNT files of SIZE bytes into DIRECTORY, then downloads them all. Prints
two rates. It leaves the files: see workloads.small_files."""
import ftplib
import io
import ssl
import sys
import time


def main():
    port, user, password, tls, count, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "tls", int(sys.argv[5]), int(sys.argv[6])
    directory = sys.argv[7]
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        ftp = ftplib.FTP_TLS(context=context, timeout=60)
    else:
        ftp = ftplib.FTP(timeout=60)
    ftp.connect("127.0.0.1", port)
    ftp.login(user, password)
    if tls:
        ftp.prot_p()
    payload = bytes(size)
    ftp.mkd(directory)
    started = time.perf_counter()
    for i in range(count):
        ftp.storbinary("STOR %s/f%05d" % (directory, i), io.BytesIO(payload))
    up = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(count):
        sink = io.BytesIO()
        ftp.retrbinary("RETR %s/f%05d" % (directory, i), sink.write)
        if len(sink.getvalue()) != size:
            raise SystemExit("short download of f%05d" % i)
    down = time.perf_counter() - started
    ftp.quit()
    print("%.1f %.1f" % (count / up, count / down))


main()
