#!/usr/bin/python3
"""One logged-in FTPS session (explicit TLS, PROT P) driven line by line from stdin, whose data connections go to an
address the test names instead of the one the server announced: the node a balancer might have chosen.

Usage: datato.py [--host H] --port P --user U --password W --cafile F
Each input line is a step; each prints one line "<reply> bytes=N sha256=H seconds=S" (seconds from the PASV/EPSV on):
  "stor PATH SIZE SEED DATAHOST PASV|EPSV"   uploads SIZE bytes made from SEED
  "retr PATH DATAHOST PASV|EPSV"             downloads PATH
On loopback the data connection always comes from 127.0.0.1, the control connection's address, as the same-IP rule
requires; elsewhere (the network lab) the client has one address.
"""
import argparse
import ftplib
import hashlib
import io
import random
import ssl
import sys
import time

TIMEOUT = 60


class DataTo(ftplib.FTP_TLS):
    data_host = None
    mode = "PASV"
    started = 0.0

    def makepasv(self):
        self.started = time.monotonic()
        if self.mode == "EPSV":
            port = ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())[1]
        else:
            port = ftplib.parse227(self.sendcmd("PASV"))[1]
        return self.data_host, port

    def ntransfercmd(self, cmd, rest=None):
        # The data connection's TLS resumes the control connection's session, as FileZilla does.
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        return self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session), size


def step(ftp, words):
    buffer = io.BytesIO()
    if words[0] == "stor":
        data = random.Random(int(words[3])).randbytes(int(words[2]))
        ftp.data_host, ftp.mode = words[4], words[5]
        buffer.write(data)
        action = lambda: ftp.storbinary("STOR " + words[1], io.BytesIO(data))
    else:
        ftp.data_host, ftp.mode = words[2], words[3]
        action = lambda: ftp.retrbinary("RETR " + words[1], buffer.write)
    try:
        reply = action()
    except ftplib.all_errors as error:
        reply = str(error).replace("\n", " ")
    return "%s bytes=%d sha256=%s seconds=%.1f" % (reply, len(buffer.getvalue()), hashlib.sha256(buffer.getvalue()).hexdigest(), time.monotonic() - ftp.started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cafile", required=True)
    args = parser.parse_args()
    ftp = DataTo(context=ssl.create_default_context(cafile=args.cafile), timeout=TIMEOUT)
    source = ("127.0.0.1", 0) if args.host == "127.0.0.1" else None
    ftp.source_address = source
    ftp.connect(args.host, args.port, source_address=source)
    print("LOGIN => " + ftp.login(args.user, args.password), flush=True)
    ftp.prot_p()
    for line in sys.stdin:
        if line.strip():
            print(step(ftp, line.split()), flush=True)
    ftp.quit()


main()
