#!/usr/bin/python3
"""Cuts an upload the ways a flaky link or an impatient user does, resumes it as clients do, and looks for it.

Usage: resume.py --port P --user U --password W [--tls --cafile F] ACTION...
Actions (the data of PATH is always random.Random(SEED).randbytes(SIZE), so every action agrees on it):
  "cut PATH SIZE SEED AT HOW"  STOR, send the first AT bytes, then end it by HOW: close (the data connection closed
                               without TLS close_notify, as when the client process dies), rst (reset), abor (ABOR on
                               the control connection), control (the control connection dropped mid-transfer)
  "resume PATH SIZE SEED VERB" SIZE PATH, then REST n + STOR (VERB rest) or APPE (VERB appe) of the bytes after n
  "look PATH"                  what a client can see of PATH: NLST, MLSD and LIST of its directory, SIZE, RETR
Prints one line per action: "ACTION => result".
"""
import argparse
import ftplib
import hashlib
import io
import random
import socket
import ssl
import struct
import time

TIMEOUT = 30


def reply_of(action):
    try:
        return action()
    except ftplib.all_errors as error:
        return str(error)


def data_of(size, seed):
    return random.Random(int(seed)).randbytes(int(size))


def cut(args, path, size, seed, at, how):
    ftp = connect(args)
    data = data_of(size, seed)[: int(at)]
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd("STOR " + path)
    conn.sendall(data)
    # Let the server read what was sent before the cut, so the kept length is what was sent.
    time.sleep(0.5)
    if how == "close":
        # SSLSocket.close() sends no close_notify: the server cannot tell this from a truncated stream.
        conn.close()
        return reply_of(ftp.getresp)
    if how == "rst":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        return reply_of(ftp.getresp)
    if how == "abor":
        reply = reply_of(ftp.abort)
        conn.close()
        return reply
    if how == "control":
        ftp.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ftp.sock.close()
        time.sleep(0.5)
        conn.close()
        return "control connection dropped"
    raise SystemExit("unknown cut " + how)


def resume(args, path, size, seed, verb):
    ftp = connect(args)
    data = data_of(size, seed)
    ftp.voidcmd("TYPE I")
    reply = reply_of(lambda: ftp.sendcmd("SIZE " + path))
    offset = int(reply.split()[1]) if reply.startswith("213") else 0
    command = ("APPE " if verb == "appe" else "STOR ") + path
    rest = offset if verb == "rest" and offset > 0 else None
    result = reply_of(lambda: ftp.storbinary(command, io.BytesIO(data[offset:]), rest=rest))
    reply_of(ftp.quit)
    return "size=%d %s" % (offset, result)


def look(args, path):
    ftp = connect(args)
    directory, _, name = path.rpartition("/")
    directory = directory or "/"
    nlst = []
    reply_of(lambda: ftp.retrlines("NLST " + directory, nlst.append))
    mlsd = []
    reply_of(lambda: ftp.retrlines("MLSD " + directory, mlsd.append))
    listing = []
    reply_of(lambda: ftp.retrlines("LIST -a " + directory, listing.append))
    stat = reply_of(lambda: ftp.sendcmd("STAT " + directory))
    size = reply_of(lambda: ftp.sendcmd("SIZE " + path))
    mlst = reply_of(lambda: ftp.sendcmd("MLST " + path))
    buffer = io.BytesIO()
    retr = reply_of(lambda: ftp.retrbinary("RETR " + path, buffer.write))
    reply_of(ftp.quit)
    return "nlst=%s mlsd=%s list=%s stat=%s | size=%s | mlst=%s | retr=%s bytes=%d sha256=%s" % (
        nlst, [line.rsplit(";", 1)[-1].strip() for line in mlsd], [line.split()[-1] for line in listing if line],
        " ".join(stat.split()), size, mlst.splitlines()[0], retr, len(buffer.getvalue()), hashlib.sha256(buffer.getvalue()).hexdigest())


def connect(args):
    if args.tls:
        ftp = ftplib.FTP_TLS(context=ssl.create_default_context(cafile=args.cafile), timeout=TIMEOUT)
    else:
        ftp = ftplib.FTP(timeout=TIMEOUT)
    ftp.connect(args.host, args.port)
    ftp.login(args.user, args.password)
    if args.tls:
        ftp.prot_p()
    return ftp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--cafile")
    parser.add_argument("actions", nargs="*")
    args = parser.parse_args()
    for action in args.actions:
        words = action.split(" ")
        handler = {"cut": cut, "resume": resume, "look": look}[words[0]]
        print("%s => %s" % (action, handler(args, *words[1:])), flush=True)


main()
