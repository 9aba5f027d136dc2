#!/usr/bin/python3
"""Workload 2's client: one session uploads COUNT files of SIZE bytes into DIRECTORY, then downloads them all. Prints
two rates. It leaves the files: see workloads.small_files."""
import ftplib
import io
import socket
import ssl
import sys
import time


def without_nagle(base):
    """Sends every segment at once, as curl does (TCP_NODELAY): otherwise the TLS close_notify that ends each upload
    waits for the ACK of the data before it, which a server that delays its ACKs holds back 40 ms."""
    class Client(base):
        def connect(self, *args, **kwargs):
            welcome = super().connect(*args, **kwargs)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return welcome

        def ntransfercmd(self, cmd, rest=None):
            connection, size = super().ntransfercmd(cmd, rest)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, size
    return Client


def main():
    port, user, password, tls, count, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "tls", int(sys.argv[5]), int(sys.argv[6])
    directory = sys.argv[7]
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        ftp = without_nagle(ftplib.FTP_TLS)(context=context, timeout=60)
    else:
        ftp = without_nagle(ftplib.FTP)(timeout=60)
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


if __name__ == "__main__":
    main()
