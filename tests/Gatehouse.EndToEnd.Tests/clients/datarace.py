#!/usr/bin/python3
"""A program at the client's own address races it to the passive port (ftpcheck.py's conventions).

The partner logs in over explicit TLS, sends PASV and its transfer command, and opens its data connection only
--delay-ms later, as a slow client does (with --connect-first: opens it --delay-ms after PASV, then sends the command). Meanwhile an attacker on the same address scans the passive range with TLS
handshakes, reads whatever a port gives (a download) or sends its own content (an upload). The theft must never go
unnoticed: whenever the server took the attacker's connection for the transfer, the partner's final reply is not 2xx;
with --bound (the server requires data TLS to resume the control session) it must not succeed at all.
Prints one line per try and the totals `tries N raced N loud N`; exits non-zero on an unnoticed theft.
"""
import argparse
import ftplib
import io
import random
import socket
import ssl
import sys
import threading
import time

from ftpcheck import check, tls_context

FORGED = b"forged by the attacker\n" * 100


class Attacker(threading.Thread):
    """Scans the passive range from the partner's address until stopped or a port completes its TLS handshake."""

    def __init__(self, host, ports, upload):
        super().__init__(daemon=True)
        self.host, self.ports, self.upload = host, ports, upload
        self.stop = threading.Event()
        self.took_port = None
        self.received = b""

    def run(self):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        while not self.stop.is_set() and self.took_port is None:
            for port in self.ports:
                if self.stop.is_set() or self.took_port is not None:
                    return
                try:
                    raw = socket.create_connection((self.host, port), timeout=0.5)
                except OSError:
                    continue
                try:
                    with context.wrap_socket(raw, server_hostname=self.host) as tls:
                        # Only a port the server handed to this connection completes a handshake; keep scanning otherwise.
                        self.took_port = port
                        tls.settimeout(10)
                        if self.upload:
                            tls.sendall(FORGED)
                            tls.unwrap()
                        else:
                            while chunk := tls.recv(65536):
                                self.received += chunk
                except OSError:
                    pass
                finally:
                    raw.close()


def final_reply(ftp):
    """The transfer's last reply, after any 150: its code as a string."""
    try:
        reply = ftp.getresp()
        if reply.startswith("1"):
            reply = ftp.getresp()
        return reply[:3]
    except ftplib.Error as error:
        return str(error)[:3]


def final_reply_or_opening(ftp):
    """None after a 1xx (the transfer goes on), else the final reply's code."""
    try:
        reply = ftp.getresp()
        return None if reply.startswith("1") else reply[:3]
    except ftplib.Error as error:
        return str(error)[:3]


class PartnerFtp(ftplib.FTP_TLS):
    """The partner's ftplib, whose own transfers (the setup and the check) resume the control session with --resume."""

    resume = False

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        return self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session if self.resume else None), size


def one_try(args, number, secret):
    ftp = PartnerFtp(context=tls_context(args), timeout=30)
    ftp.resume = args.resume
    ftp.connect(args.host, args.port)
    ftp.login(args.user, args.password)
    ftp.prot_p()
    name = "race-%d.bin" % number
    upload = args.direction == "upload"
    if not upload:
        ftp.storbinary("STOR " + name, io.BytesIO(secret))
    first, last = (int(port) for port in args.range.split("-"))
    attacker = Attacker(args.host, range(first, last + 1), upload)
    attacker.start()
    time.sleep(0.05)
    host, port = ftplib.parse227(ftp.sendcmd("PASV"))
    command = ("STOR " if upload else "RETR ") + name
    if not args.connect_first:
        ftp.putcmd(command)
    time.sleep(args.delay_ms / 1000)
    received = b""
    code = None
    try:
        raw = socket.create_connection((host, port), timeout=10)
        if args.connect_first:
            ftp.putcmd(command)
            code = final_reply_or_opening(ftp)
            if code is not None:
                raise OSError("the command was answered " + code)
        with ftp.context.wrap_socket(raw, server_hostname=args.host, session=ftp.sock.session if args.resume else None) as data:
            if upload:
                data.sendall(secret)
                data.unwrap()
            else:
                while chunk := data.recv(65536):
                    received += chunk
    except (OSError, ftplib.Error) as error:
        received = ("(data connection failed: %s)" % error).encode()
    code = code or final_reply(ftp)
    attacker.stop.set()
    attacker.join(15)
    if upload:
        stored = io.BytesIO()
        try:
            ftp.retrbinary("RETR " + name, stored.write)
        except ftplib.Error:
            pass
        stolen = stored.getvalue() == FORGED
    else:
        stolen = attacker.received == secret
    ftp.quit()
    # The server took the attacker's connection as the transfer's (an intruder is closed before any TLS handshake).
    raced = attacker.took_port == port
    print("try %d: the attacker's connection was taken for the transfer: %s, %s: %s, partner's reply %s" % (
        number, raced, "stored the forged file" if upload else "got the file", stolen, code))
    check(not ((stolen or raced) and code.startswith("2")), "try %d: the theft went unnoticed: the partner was told %s" % (number, code))
    check(not (stolen and args.bound), "try %d: the attacker %s although data TLS must resume the control session" % (
        number, "stored its file" if upload else "got the file"))
    check(not (code.startswith("2") and not upload and received != secret), "try %d: 2xx but the partner's bytes differ" % number)
    return raced, not code.startswith("2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("direction", choices=["download", "upload"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="")
    parser.add_argument("--cafile")
    parser.add_argument("--tls-max", default="")
    parser.add_argument("--range", required=True, help="the server's passive range, FIRST-LAST")
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--resume", action="store_true", help="the partner's data connection resumes the control session")
    parser.add_argument("--connect-first", action="store_true", help="the partner connects before it sends its command, as most clients do")
    parser.add_argument("--bound", action="store_true", help="the server requires that resumption: any theft at all fails")
    args = parser.parse_args()
    secret = random.Random(7).randbytes(64 * 1024)
    raced = loud = 0
    for number in range(args.tries):
        was_raced, was_loud = one_try(args, number, secret)
        raced += was_raced
        loud += was_loud
    print("tries %d raced %d loud %d" % (args.tries, raced, loud))


if __name__ == "__main__":
    sys.exit(main())
