#!/usr/bin/python3
"""Runs a sequence of FTP steps with Python's ftplib and prints each step's final reply, one line per step.

It never stops on an FTP error reply: the tests assert on the printed replies.
Usage: ftpsteps.py --port P --user U --password W [--tls --cafile F [--cert C --key K]] [--source ADDRESS] STEP...
Steps: "nlst PATH", "stor PATH SIZE", "appe PATH SIZE", "put PATH LOCALFILE", "retr PATH [REST OFFSET]", "cmd RAW COMMAND",
"wait FILE" (holds the logged-in session, after creating FILE.waiting, until the test creates FILE)
"""
import argparse
import hashlib
import io
import os
import random
import ssl
import ftplib
import time

TIMEOUT = 30


def reply_of(action):
    try:
        return action()
    except ftplib.all_errors as error:
        return str(error)


def upload(ftp, verb, path, size, seed):
    data = random.Random(seed).randbytes(size)
    try:
        return ftp.storbinary("%s %s" % (verb, path), io.BytesIO(data))
    except ftplib.Error as error:
        return str(error)
    except OSError:
        # The server closed the data connection while we were sending; its reply is on the control connection.
        return reply_of(ftp.getresp)


def run_step(ftp, step, seed):
    words = step.split(" ")
    verb = words[0]
    if verb == "nlst":
        names = []
        reply = reply_of(lambda: ftp.retrlines("NLST " + words[1], names.append))
        return "%s [%s]" % (reply, ",".join(sorted(name.rsplit("/", 1)[-1] for name in names)))
    if verb in ("stor", "appe"):
        return upload(ftp, verb.upper(), words[1], int(words[2]), seed)
    if verb == "put":
        with open(words[2], "rb") as local:
            return reply_of(lambda: ftp.storbinary("STOR " + words[1], local))
    if verb == "retr":
        buffer = io.BytesIO()
        rest = words[2] if len(words) > 2 else None
        reply = reply_of(lambda: ftp.retrbinary("RETR " + words[1], buffer.write, rest=rest))
        return "%s bytes=%d sha256=%s" % (reply, len(buffer.getvalue()), hashlib.sha256(buffer.getvalue()).hexdigest())
    if verb == "wait":
        open(words[1] + ".waiting", "w").close()
        deadline = time.monotonic() + 120
        while not os.path.exists(words[1]):
            if time.monotonic() > deadline:
                return "timed out waiting for " + words[1]
            time.sleep(0.05)
        return "ready"
    if verb == "cmd":
        return reply_of(lambda: ftp.sendcmd(" ".join(words[1:])))
    raise SystemExit("unknown step " + step)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--cafile")
    parser.add_argument("--source", default="")
    parser.add_argument("--cert", default="")
    parser.add_argument("--key", default="")
    parser.add_argument("steps", nargs="*")
    args = parser.parse_args()
    if args.tls:
        context = ssl.create_default_context(cafile=args.cafile)
        if args.cert:
            context.load_cert_chain(args.cert, args.key)
        ftp = ftplib.FTP_TLS(context=context, timeout=TIMEOUT)
    else:
        ftp = ftplib.FTP(timeout=TIMEOUT)
    source = (args.source, 0) if args.source else None
    print("CONNECT => " + reply_of(lambda: ftp.connect(args.host, args.port, source_address=source)))
    login = reply_of(lambda: ftp.login(args.user, args.password))
    print("LOGIN => " + login)
    if not login.startswith("230"):
        return
    if args.tls:
        ftp.prot_p()
    for index, step in enumerate(args.steps):
        print("%s => %s" % (step, run_step(ftp, step, index + 1)))
    reply_of(ftp.quit)


main()
