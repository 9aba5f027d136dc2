"""The second harness style (issue 25): a Python client on raw sockets, a fresh session per transfer, the data socket
written and read directly in 1 MiB sendall/recv calls, timed from EPSV to the 226. No curl: nothing of a client's own
buffering, pacing or TLS quirks sits between the socket and the server."""
import os
import socket
import ssl
import time

from servers import USER, PASSWORD
from workloads import own

BLOCK = 1 << 20


class Control:
    """One control connection: commands out, (code, text) replies in; AUTH TLS on request."""

    def __init__(self, port, tls):
        self.context = None
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.lines = self.socket.makefile("rb")
        self.expect(220)
        if tls:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
            self.command("AUTH TLS", 234)
            self.socket = self.context.wrap_socket(self.socket)
            self.lines = self.socket.makefile("rb")
        self.command("USER " + USER, 331)
        self.command("PASS " + PASSWORD, 230)
        if tls:
            self.command("PBSZ 0", 200)
            self.command("PROT P", 200)
        self.command("TYPE I", 200)

    def send(self, line):
        self.socket.sendall((line + "\r\n").encode())

    def reply(self):
        line = self.lines.readline().decode(errors="replace")
        code, text = line[:3], line
        if line[3:4] == "-":
            while not line.startswith(code + " "):
                line = self.lines.readline().decode(errors="replace")
                if not line:
                    break
        return int(code), text.strip()

    def expect(self, *codes):
        code, text = self.reply()
        if code not in codes:
            raise RuntimeError("expected %s, got %s" % (codes, text))
        return text

    def command(self, line, *codes):
        self.send(line)
        return self.expect(*codes)

    def data(self, port):
        data = socket.create_connection(("127.0.0.1", port), timeout=120)
        data.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return data

    def secure(self, data):
        # The data connection resumes the control connection's TLS session, as vsftpd requires by default.
        return self.context.wrap_socket(data, session=self.socket.session) if self.context else data

    def close(self):
        try:
            self.command("QUIT", 221)
        finally:
            self.socket.close()


def transfer(server, direction, payload_or_size, tls, name):
    """One fresh session: log in, then EPSV and STOR/RETR of NAME, timed from EPSV to the 226. Returns (seconds, bytes,
    server CPU seconds of the whole session)."""
    cpu_before = server.cpu()
    control = Control(server.port, tls)
    began = time.perf_counter()
    text = control.command("EPSV", 229)
    port = int(text.split("(")[1].split("|")[3])
    data = control.data(port)
    moved = 0
    if direction == "STOR":
        control.command("STOR " + name, 150, 125)
        data = control.secure(data)
        view = memoryview(payload_or_size)
        for offset in range(0, len(view), BLOCK):
            data.sendall(view[offset:offset + BLOCK])
        moved = len(view)
        if tls:
            data = data.unwrap()
        data.close()
    else:
        control.command("RETR " + name, 150, 125)
        data = control.secure(data)
        block = bytearray(BLOCK)
        while True:
            try:
                count = data.recv_into(block)
            except ssl.SSLZeroReturnError:
                count = 0
            if not count:
                break
            moved += count
        data.close()
    control.expect(226)
    seconds = time.perf_counter() - began
    control.close()
    return seconds, moved, server.cpu() - cpu_before


def big_file(server, payload, direction, tls):
    """A large file in a fresh session: MB/s and server CPU s per GiB."""
    size = len(payload)
    if direction == "RETR":
        target = os.path.join(server.home, "raw-big.bin")
        if not os.path.exists(target) or os.path.getsize(target) != size:
            with open(target, "wb") as out:
                out.write(payload)
            own(server, target)
        seconds, moved, cpu = transfer(server, "RETR", size, tls, "raw-big.bin")
    else:
        seconds, moved, cpu = transfer(server, "STOR", payload, tls, "raw-up.bin")
        stored = os.path.join(server.home, "raw-up.bin")
        moved = os.path.getsize(stored)
        os.remove(stored)
    if moved != size:
        raise RuntimeError("%s moved %d of %d bytes" % (server.name, moved, size))
    return {"MB/s": size / seconds / 1e6, "server CPU s/GiB": cpu * (1 << 30) / size}
