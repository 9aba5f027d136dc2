#!/usr/bin/python3
"""Real-client scenarios for the Gatehouse end-to-end tests, using Python's ftplib.

Each scenario prints what it checked and exits non-zero with a message on the first failure.
Usage: ftpcheck.py SCENARIO --host H --port P --user U --password W [--tls --cafile F] [options]
"""
import argparse
import hashlib
import io
import os
import random
import socket
import statistics
import ssl
import sys
import threading
import time
import zlib
import ftplib

TIMEOUT = 30


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def tls_context(args):
    context = ssl.create_default_context(cafile=args.cafile)
    if args.tls_max == "1.2":
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


def connect(args, login=True):
    if args.tls:
        ftp = ftplib.FTP_TLS(context=tls_context(args), timeout=TIMEOUT)
    else:
        ftp = ftplib.FTP(timeout=TIMEOUT)
    ftp.connect(args.host, args.port)
    if login:
        ftp.login(args.user, args.password)
        if args.tls:
            ftp.prot_p()
        set_mode(ftp, args.mode)
    return ftp


def set_mode(ftp, mode):
    if mode == "pasv":
        ftp.set_pasv(True)
    elif mode == "epsv":
        ftp.set_pasv(True)
        ftp.makepasv = lambda: ftplib.parse229(ftp.sendcmd("EPSV"), ftp.sock.getpeername())
    elif mode == "port":
        ftp.set_pasv(False)
    elif mode == "eprt":
        ftp.set_pasv(False)
        ftp.sendport = ftp.sendeprt


def download(ftp, name, rest=None):
    buffer = io.BytesIO()
    ftp.retrbinary("RETR " + name, buffer.write, blocksize=1 << 18, rest=rest)
    return buffer.getvalue()


def expect_error(code, action):
    try:
        action()
    except ftplib.all_errors as error:
        text = str(error)
        check(text.startswith(code), "expected %s, got %r" % (code, text))
        return text
    fail("expected %s, but the command succeeded" % code)


def scenario_roundtrip(args):
    ftp = connect(args)
    data = random.Random(args.seed).randbytes(args.size)
    name = args.name or "roundtrip-%s.bin" % args.mode
    ftp.storbinary("STOR " + name, io.BytesIO(data))
    check(ftp.size(name) == len(data), "SIZE after upload")
    back = download(ftp, name)
    check(back == data, "downloaded bytes differ (%d vs %d)" % (len(back), len(data)))
    if args.tls:
        print("TLS " + ftp.sock.version())
    ftp.quit()
    print("OK roundtrip %s %d bytes sha256=%s" % (args.mode, len(data), hashlib.sha256(data).hexdigest()))


def scenario_resume(args):
    ftp = connect(args)
    data = random.Random(7).randbytes(300_000)
    ftp.storbinary("STOR resume.bin", io.BytesIO(data[:100_000]))
    check(ftp.size("resume.bin") == 100_000, "size of first part")
    ftp.storbinary("STOR resume.bin", io.BytesIO(data[100_000:]), rest=100_000)
    check(ftp.size("resume.bin") == len(data), "size after resumed upload")
    check(download(ftp, "resume.bin") == data, "whole file after resume")
    check(download(ftp, "resume.bin", rest=250_000) == data[250_000:], "download from REST 250000")
    ftp.storbinary("APPE resume.bin", io.BytesIO(b"tail"))
    check(download(ftp, "resume.bin") == data + b"tail", "APPE")
    ftp.quit()
    print("OK resume")


def scenario_mlsd(args):
    ftp = connect(args)
    feat = ftp.sendcmd("FEAT")
    check("MLST type*;size*;modify*;perm*;unique*;" in feat, "FEAT lists MLST facts: " + feat)
    ftp.mkd("sub")
    ftp.storbinary("STOR sub/f.txt", io.BytesIO(b"12345"))
    entries = dict(ftp.mlsd("sub"))
    facts = entries.get("f.txt")
    check(facts is not None, "MLSD lists f.txt: %r" % entries)
    for fact in ("type", "size", "modify", "perm", "unique"):
        check(fact in facts, "fact %s in %r" % (fact, facts))
    check(facts["type"] == "file" and facts["size"] == "5", "type and size: %r" % facts)
    check(len(facts["modify"]) == 14 and facts["modify"].isdigit(), "modify is YYYYMMDDHHMMSS")
    root = dict(ftp.mlsd("/"))
    check(root["sub"]["type"] == "dir", "directory type")
    mlst = ftp.sendcmd("MLST sub/f.txt")
    lines = mlst.splitlines()
    check(lines[0].startswith("250-") and lines[-1].startswith("250 "), "MLST is multi-line 250: %r" % mlst)
    check(lines[1].startswith(" type=file;size=5;") and lines[1].endswith(" /sub/f.txt"), "MLST entry line: %r" % lines[1])
    ftp.sendcmd("OPTS MLST type;size;")
    only = dict(ftp.mlsd("sub"))["f.txt"]
    check(set(only) == {"type", "size"}, "OPTS MLST selects facts: %r" % only)
    ftp.quit()
    print("OK mlsd")


def scenario_big_listing(args):
    """A listing several times the server's 64 KiB send block: every entry arrives once, in order, in every form."""
    ftp = connect(args)
    expected = ["entry-%04d-%s" % (i, "x" * 60) for i in range(3000)]
    names = [name for name, _ in ftp.mlsd("many")]
    check(names == expected, "MLSD lists all 3000 entries in order (got %d)" % len(names))
    check(ftp.nlst("many") == expected, "NLST lists all 3000 entries")
    lines = []
    ftp.retrlines("LIST many", lines.append)
    check(len(lines) == 3000 and all(line.endswith(name) for line, name in zip(lines, expected)), "LIST lists all 3000 entries")
    ftp.quit()
    print("OK big-listing")


def scenario_huge_listing(args):
    """A directory of --count entries, past the size the server sorts: every entry arrives exactly once in every form."""
    ftp = connect(args)
    expected = sorted("e%06d" % i for i in range(args.count))
    names = [name for name, _ in ftp.mlsd("huge")]
    check(sorted(names) == expected, "MLSD lists all %d entries once (got %d)" % (args.count, len(names)))
    check(sorted(ftp.nlst("huge")) == expected, "NLST lists all %d entries once" % args.count)
    lines = []
    ftp.retrlines("LIST huge", lines.append)
    check(sorted(line.rsplit(" ", 1)[1] for line in lines) == expected, "LIST lists all %d entries once" % args.count)
    ftp.quit()
    print("OK huge-listing")


def scenario_utf8(args):
    ftp = connect(args)
    check("UTF8" in ftp.sendcmd("FEAT"), "FEAT lists UTF8")
    check(ftp.sendcmd("OPTS UTF8 ON").startswith("200"), "OPTS UTF8 ON")
    name = "Grüße-日本-ü.txt"
    data = "contenu été ☃".encode("utf-8")
    ftp.storbinary("STOR " + name, io.BytesIO(data))
    check(name in ftp.nlst(), "NLST shows the UTF-8 name")
    check(download(ftp, name) == data, "UTF-8 named file round trip")
    ftp.mkd("dossier-é")
    ftp.rename(name, "dossier-é/ñame.txt")
    check(ftp.nlst("dossier-é") == ["ñame.txt"], "rename into UTF-8 directory")
    ftp.quit()
    print("OK utf8")


def read_some(connection, wanted):
    got = 0
    while got < wanted:
        chunk = connection.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    return got


def send_abor(ftp, tls):
    """ABOR during a transfer: urgent (MSG_OOB) on plain connections, as RFC 959 suggests; a plain command over TLS."""
    if tls:
        ftp.putcmd("ABOR")
        return ftp.getmultiline()
    return ftp.abort()


def expect_426_then_226(ftp, first):
    second = ftp.getmultiline()
    check(first.startswith("426") and second.startswith("226"), "ABOR gives 426 then 226: %r %r" % (first, second))


def scenario_abort_download(args):
    ftp = connect(args)
    connection = ftp.transfercmd("RETR big.bin")
    check(read_some(connection, 256 * 1024) > 0, "received data before ABOR")
    expect_426_then_226(ftp, send_abor(ftp, args.tls))
    connection.close()
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on after ABOR")
    ftp.quit()
    print("OK abort-download")


def scenario_telnet_abort(args):
    ftp = connect(args)
    connection = ftp.transfercmd("RETR big.bin")
    check(read_some(connection, 128 * 1024) > 0, "received data")
    ftp.putcmd("STAT")
    status = ftp.getmultiline()
    check(status.startswith("211") and "Transfer in progress: /big.bin" in status, "STAT during a transfer: %r" % status)
    raw = ftp.sock
    raw.sendall(b"\xff\xf4\xff")      # IAC IP IAC
    raw.send(b"\xf2", socket.MSG_OOB)  # DM as urgent data (Telnet Synch)
    raw.sendall(b"ABOR\r\n")
    expect_426_then_226(ftp, ftp.getmultiline())
    connection.close()
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on")
    ftp.quit()
    print("OK telnet-abort")


def scenario_abort_upload(args):
    ftp = connect(args)
    ftp.voidcmd("TYPE I")
    connection = ftp.transfercmd("STOR %s" % args.name)  # FTP_TLS has already wrapped it in TLS
    connection.sendall(random.Random(3).randbytes(1_000_000))
    if args.how == "abor":
        expect_426_then_226(ftp, send_abor(ftp, args.tls))
        connection.close()
    else:
        # Reset the data connection: what a crashed client or a dropped link looks like.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.close()
        reply = ftp.getmultiline()
        check(reply.startswith("426"), "reset upload gives 426: %r" % reply)
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on")
    ftp.quit()
    print("OK abort-upload " + args.how)


def scenario_policy_required(args):
    plain = ftplib.FTP(timeout=TIMEOUT)
    plain.connect(args.host, args.port)
    text = expect_error("530", lambda: plain.sendcmd("USER " + args.user))
    check("AUTH TLS" in text, "530 says to use AUTH TLS: " + text)
    plain.close()
    ftp = ftplib.FTP_TLS(context=tls_context(args), timeout=TIMEOUT)
    ftp.connect(args.host, args.port)
    ftp.login(args.user, args.password)
    text = expect_error("521", lambda: ftp.nlst())
    check("PROT P" in text, "521 says to use PROT P: " + text)
    ftp.voidcmd("PBSZ 0")
    text = expect_error("534", lambda: ftp.voidcmd("PROT C"))
    check("PROT P" in text, "534 says to use PROT P: " + text)
    ftp.prot_p()
    ftp.nlst()
    ftp.quit()
    print("OK policy-required")


def scenario_pipelined_auth(args):
    sock = socket.create_connection((args.host, args.port), timeout=TIMEOUT)
    stream = sock.makefile("rb")
    check(stream.readline().startswith(b"220"), "greeting")
    sock.sendall(b"AUTH TLS\r\nUSER injected\r\n")
    check(stream.readline().startswith(b"234"), "234 to AUTH TLS")
    check(stream.read(1) == b"", "server closes when plain text follows AUTH TLS")
    print("OK pipelined-auth")


def scenario_bounce(args):
    ftp = connect(args)
    refusals = [
        ("PORT 127,0,0,2,156,64", "another address"),
        ("PORT 127,0,0,1,0,25", "privileged port"),
        ("EPRT |1|127.0.0.2|40000|", "EPRT to another address"),
        ("EPRT |1|127.0.0.1|80|", "EPRT to a privileged port"),
        ("EPRT |2|::1|40000|", "EPRT to IPv6 from an IPv4 session"),
    ]
    for command, what in refusals:
        text = expect_error("504", lambda: ftp.voidcmd(command))
        check("PASV" in text, "%s: refusal suggests passive mode: %s" % (what, text))
    ftp.quit()
    print("OK bounce")


def scenario_theft(args):
    ftp = connect(args)
    port = int(ftp.sendcmd("EPSV").split("|")[3])
    thief = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    thief.bind(("127.0.0.2", 0))
    thief.settimeout(10)
    thief.connect((args.host, port))
    try:
        stolen = thief.recv(100)
    except (ConnectionResetError, socket.timeout) as error:
        stolen = b"" if isinstance(error, ConnectionResetError) else b"TIMEOUT"
    check(stolen == b"", "data connection from 127.0.0.2 is closed at once, got %r" % stolen)
    thief.close()
    connection = socket.create_connection((args.host, port), timeout=TIMEOUT)
    reply = ftp.sendcmd("NLST")
    check(reply.startswith("150"), "the real client still gets the data connection: " + reply)
    if args.tls:
        connection = ftp.context.wrap_socket(connection, server_hostname=ftp.host)
    listing = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        listing += chunk
    connection.close()
    check(ftp.voidresp().startswith("226"), "226 after listing")
    ftp.quit()
    print("OK theft refused; listing %d bytes" % len(listing))


def scenario_concurrent(args):
    count = args.count
    barrier = threading.Barrier(count, timeout=120)
    failures = []

    def worker(index):
        try:
            ftp = connect(args)
            barrier.wait()
            data = random.Random(index).randbytes(10_000 + index)
            name = "concurrent-%03d.bin" % index
            ftp.storbinary("STOR " + name, io.BytesIO(data))
            if download(ftp, name) != data:
                failures.append("%d: bytes differ" % index)
            ftp.quit()
        except Exception as error:  # noqa: BLE001 - report every failure
            failures.append("%d: %r" % (index, error))
            try:
                barrier.abort()
            except threading.BrokenBarrierError:
                pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    check(not failures, "%d of %d sessions failed: %s" % (len(failures), count, failures[:5]))
    print("OK concurrent %d sessions" % count)


def raw_greeting(args):
    sock = socket.create_connection((args.host, args.port), timeout=TIMEOUT)
    stream = sock.makefile("rb")
    check(stream.readline().startswith(b"220"), "greeting")
    return sock, stream


def still_serving(args):
    sock, stream = raw_greeting(args)
    sock.sendall(b"NOOP\r\n")
    check(stream.readline().startswith(b"200"), "a new session is served")
    sock.close()


def scenario_long_line(args):
    sock, stream = raw_greeting(args)
    sock.sendall(b"A" * 100_000 + b"\r\n")
    reply = stream.readline()
    check(reply == b"" or reply.startswith(b"500"), "100 KB line gets 500 or a close: %r" % reply[:80])
    if reply:
        sock.sendall(b"NOOP\r\n")
        check(stream.readline().startswith(b"200"), "same session goes on after the long line")
    sock.close()
    still_serving(args)
    print("OK long-line")


def scenario_garbage(args):
    sock, stream = raw_greeting(args)
    sock.sendall(random.Random(args.seed).randbytes(20_000) + b"\r\nNOOP\r\n")
    sock.settimeout(5)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            if b"200 NOOP" in received:
                break
    except socket.timeout:
        pass
    sock.close()
    check(b"200 NOOP" in received, "the NOOP after the garbage is answered on the same connection")
    for line in received.split(b"\r\n"):
        check(line == b"" or line[:3].isdigit() or line.startswith(b" "), "every reply line is well formed: %r" % line[:60])
    still_serving(args)
    print("OK garbage (%d reply bytes)" % len(received))


def scenario_commands(args):
    ftp = connect(args)
    feat = ftp.sendcmd("FEAT")
    for feature in ("EPSV", "EPRT", "MDTM", "MFMT", "SIZE", "REST STREAM", "UTF8", "HOST", "TVFS", "HASH SHA-256*;SHA-1;MD5;CRC32"):
        check("\n " + feature in feat, "FEAT lists %s: %r" % (feature, feat))
    if args.tls:
        for feature in ("AUTH TLS", "PBSZ", "PROT"):
            check("\n " + feature in feat, "FEAT lists " + feature)
    check(ftp.sendcmd("SYST").startswith("215 UNIX"), "SYST")
    help_text = ftp.sendcmd("HELP")
    check(help_text.startswith("214-") and "RETR" in help_text and help_text.splitlines()[-1].startswith("214 "), "HELP")
    check(ftp.sendcmd("HELP MFMT").startswith("214 Syntax: MFMT"), "HELP verb")
    check(ftp.sendcmd("SITE HELP").startswith("214-"), "SITE HELP")
    status = ftp.sendcmd("STAT")
    check(status.startswith("211-") and ("Logged in as " + args.user) in status and status.splitlines()[-1].startswith("211 "), "STAT: " + status)
    check(ftp.sendcmd("NOOP").startswith("200"), "NOOP")
    expect_error("502", lambda: ftp.sendcmd("ACCT billing"))
    check(ftp.sendcmd("ALLO 1000").startswith("202"), "ALLO")
    for command, code in (("TYPE A", "200"), ("TYPE A N", "200"), ("TYPE L 8", "200"), ("TYPE I", "200"), ("MODE S", "200"), ("STRU F", "200")):
        check(ftp.sendcmd(command).startswith(code), command)
    expect_error("504", lambda: ftp.sendcmd("TYPE E"))
    expect_error("504", lambda: ftp.sendcmd("MODE B"))
    expect_error("504", lambda: ftp.sendcmd("STRU R"))
    expect_error("500", lambda: ftp.sendcmd("N0OP"))
    expect_error("502", lambda: ftp.sendcmd("XYZZY"))

    check(ftp.mkd('dir "quoted"') == '/dir "quoted"', "MKD reply with doubled quotes")
    ftp.cwd('dir "quoted"')
    check(ftp.pwd() == '/dir "quoted"', "PWD")
    check(ftp.sendcmd("XPWD").startswith('257 "/dir ""quoted"""'), "XPWD alias")
    check(ftp.sendcmd("CDUP").startswith("250"), "CDUP")
    check(ftp.pwd() == "/", "back at /")
    check(ftp.sendcmd("XCWD dir \"quoted\"").startswith("250"), "XCWD alias")
    ftp.cwd("/")
    ftp.rmd('dir "quoted"')

    data = b"hash me\n" * 1000
    ftp.storbinary("STOR h.txt", io.BytesIO(data))
    expected = {
        "SHA-256": hashlib.sha256(data).hexdigest(),
        "SHA-1": hashlib.sha1(data).hexdigest(),
        "MD5": hashlib.md5(data).hexdigest(),
        "CRC32": "%08x" % (zlib.crc32(data) & 0xFFFFFFFF),
    }
    for name, digest in expected.items():
        check(ftp.sendcmd("OPTS HASH " + name) == "200 " + name, "OPTS HASH " + name)
        reply = ftp.sendcmd("HASH h.txt")
        check(reply == "213 %s 0-%d %s /h.txt" % (name, len(data), digest), "HASH %s: %r" % (name, reply))
    check(ftp.sendcmd("OPTS HASH") == "200 CRC32", "OPTS HASH shows the current algorithm")
    check(ftp.sendcmd("MFMT 20200102030405 h.txt") == "213 Modify=20200102030405; /h.txt", "MFMT")
    check(ftp.sendcmd("MDTM h.txt") == "213 20200102030405", "MDTM after MFMT")
    check(ftp.size("h.txt") == len(data), "SIZE")
    stat_path = ftp.sendcmd("STAT h.txt")
    check(stat_path.startswith("213-") and "h.txt" in stat_path, "STAT path: " + stat_path)
    ftp.quit()
    print("OK commands")


def scenario_stou_rename_delete(args):
    ftp = connect(args)
    host, port = ftp.makepasv()
    connection = socket.create_connection((host, port), timeout=TIMEOUT)
    opening = ftp.sendcmd("STOU report")
    check(opening.startswith("150 FILE: report."), "STOU announces the name it chose: " + opening)
    if args.tls:
        connection = ftp.context.wrap_socket(connection, server_hostname=ftp.host)
    connection.sendall(b"unique")
    if args.tls:
        connection.unwrap()
    connection.close()
    reply = ftp.voidresp()
    check(reply.startswith("226"), "STOU completes: " + reply)
    names = [n for n in ftp.nlst() if n.startswith("report.")]
    check(len(names) == 1, "one unique file: %r" % names)
    check(ftp.rename(names[0], "renamed.txt").startswith("250"), "RNFR/RNTO")
    expect_error("503", lambda: ftp.sendcmd("RNTO nowhere"))
    check(ftp.delete("renamed.txt").startswith("250"), "DELE")
    expect_error("550", lambda: ftp.delete("renamed.txt"))
    ftp.quit()
    print("OK stou-rename-delete")


def scenario_escape(args):
    ftp = connect(args)
    expect_error("550", lambda: ftp.cwd(".."))
    expect_error("550", lambda: ftp.cwd("../../etc"))
    expect_error("550", lambda: ftp.sendcmd("SIZE ../../../etc/passwd"))
    expect_error("550", lambda: ftp.cwd("/etc"))
    expect_error("550", lambda: ftp.sendcmd("SIZE ..\\..\\etc\\passwd"))
    expect_error("550", lambda: ftp.sendcmd("SIZE link-to-etc/passwd"))
    expect_error("550", lambda: download(ftp, "link-to-etc/passwd"))
    check("link-to-etc" not in ftp.nlst(), "links leading out of the home are not listed")
    ftp.quit()
    print("OK escape")


def scenario_rein(args):
    ftp = connect(args)
    check(ftp.sendcmd("REIN").startswith("220"), "REIN")
    expect_error("530", lambda: ftp.pwd())
    ftp.login(args.user, args.password)
    check(ftp.pwd() == "/", "logged in again")
    ftp.quit()
    print("OK rein")


def scenario_pasv_ipv6(args):
    ftp = connect(args)
    text = expect_error("522", lambda: ftp.sendcmd("PASV"))
    check("EPSV" in text, "PASV on IPv6 points to EPSV: " + text)
    ftp.quit()
    print("OK pasv-ipv6")


def scenario_pasv_reply(args):
    ftp = connect(args)
    reply = ftp.sendcmd("PASV")
    print("REPLY " + reply)
    ftp.quit()


def scenario_login_failures(args):
    ftp = ftplib.FTP_TLS(context=tls_context(args), timeout=TIMEOUT) if args.tls else ftplib.FTP(timeout=TIMEOUT)
    ftp.connect(args.host, args.port)
    if args.tls:
        ftp.auth()
    codes = []
    for _ in range(3):
        try:
            ftp.login(args.user, "wrong-password")
        except ftplib.all_errors as error:
            codes.append(str(error)[:3])
    check(codes == ["530", "530", "421"], "two 530s then 421: %r" % codes)
    try:
        ftp.voidcmd("NOOP")
        fail("connection still open after too many failures")
    except ftplib.all_errors + (EOFError,):
        pass
    print("OK login-failures")


def scenario_slow_download(args):
    """Reads a download slowly for longer than the idle time-out: the session must survive it."""
    ftp = connect(args)
    ftp.voidcmd("TYPE I")
    connection = ftp.transfercmd("RETR big.bin")
    deadline = time.monotonic() + args.seconds
    received = 0
    while time.monotonic() < deadline:
        chunk = connection.recv(args.chunk)
        check(chunk, "data ended early")
        received += len(chunk)
        time.sleep(0.2)
    while True:
        chunk = connection.recv(1 << 20)
        if not chunk:
            break
        received += len(chunk)
    connection.close()
    check(ftp.voidresp().startswith("226"), "226 after the slow transfer")
    if args.how == "shutdown":
        # The server is stopping: once the transfer is done it says goodbye with 421.
        farewell = ftp.getline()
        check(farewell.startswith("421"), "421 after the transfer during shutdown, got %r" % farewell)
    else:
        check(ftp.voidcmd("NOOP").startswith("200"), "session alive after a transfer longer than the idle time-out")
        ftp.quit()
    print("OK slow-download %d bytes" % received)


def scenario_slow_upload(args):
    """Uploads --size bytes to --name, --chunk bytes every 0.2 s, so the transfer runs long enough to be watched."""
    ftp = connect(args)
    ftp.voidcmd("TYPE I")
    data = random.Random(args.seed).randbytes(args.size)
    connection = ftp.transfercmd("STOR " + args.name)
    for start in range(0, len(data), args.chunk):
        connection.sendall(data[start:start + args.chunk])
        time.sleep(0.2)
    connection.close()
    check(ftp.voidresp().startswith("226"), "226 after the slow upload")
    ftp.quit()
    print("OK slow-upload %d bytes" % len(data))


def scenario_idle_timeout(args):
    ftp = connect(args)
    time.sleep(args.seconds)
    try:
        reply = ftp.getline()
    except EOFError:
        reply = ""
    check(reply.startswith("421") and "dle time-out" in reply, "421 idle time-out, got %r" % reply)
    print("OK idle-timeout")


def scenario_login_timeout(args):
    sock, stream = raw_greeting(args)
    time.sleep(args.seconds)
    reply = stream.readline().decode()
    check(reply.startswith("421") and "ogin time-out" in reply, "421 login time-out, got %r" % reply)
    print("OK login-timeout")


def scenario_hold(args):
    ftp = connect(args)
    print("READY", flush=True)
    time.sleep(args.seconds)
    ftp.quit()
    print("OK hold")


def scenario_host(args):
    ftp = ftplib.FTP_TLS(context=tls_context(args), timeout=TIMEOUT) if args.tls else ftplib.FTP(timeout=TIMEOUT)
    ftp.connect(args.host, args.port)
    if args.tls:
        ftp.auth()
    check(ftp.sendcmd("HOST ftp.example.com").startswith("220"), "HOST before login is accepted")
    ftp.login(args.user, args.password)
    expect_error("503", lambda: ftp.sendcmd("HOST other.example.com"))
    ftp.quit()
    print("OK host")


def scenario_port_churn(args):
    """Reserves passive ports without ever connecting, then vanishes: no port may stay reserved."""
    for _ in range(3):
        ftp = connect(args)
        for _ in range(args.count):
            ftp.sendcmd("EPSV")
        ftp.sock.close()
    ftp = connect(args)
    for index in range(args.count):
        data = b"churn %d" % index
        ftp.storbinary("STOR churn.txt", io.BytesIO(data))
        check(download(ftp, "churn.txt") == data, "transfer %d after churn" % index)
    ftp.quit()
    print("OK port-churn")


def scenario_ascii(args):
    ftp = connect(args)
    ftp.storlines("STOR lines.txt", io.BytesIO(b"one\r\ntwo\r\nthree\r\n"))
    lines = []
    ftp.retrlines("RETR lines.txt", lines.append)
    check(lines == ["one", "two", "three"], "TYPE A round trip: %r" % lines)
    ftp.voidcmd("TYPE A")
    connection = ftp.transfercmd("RETR lines.txt")
    raw = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        raw += chunk
    if args.tls:
        connection.unwrap()
    connection.close()
    ftp.voidresp()
    check(raw == b"one\r\ntwo\r\nthree\r\n", "TYPE A sends CRLF on the wire: %r" % raw)
    check(download(ftp, "lines.txt") == b"one\ntwo\nthree\n", "TYPE I returns the stored LF bytes")
    ftp.quit()
    print("OK ascii")


def scenario_upload(args):
    """Uploads --size bytes and prints the final reply, whatever it is."""
    ftp = connect(args)
    try:
        reply = ftp.storbinary("STOR " + args.name, io.BytesIO(random.Random(5).randbytes(args.size)))
    except ftplib.all_errors as error:
        reply = str(error)
        if not isinstance(error, ftplib.Error):
            # The server closed the data connection while we were still sending; its reply is on the control connection.
            try:
                reply = ftp.getresp()
            except ftplib.Error as late:
                reply = str(late)
    print("REPLY " + reply)
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on after the upload")
    ftp.quit()


def scenario_exchange(args):
    """Upload, LIST and download on one session, trusting the address in 227 as most clients do; prints the transcript."""
    ftp = connect(args, login=False)
    ftp.trust_server_pasv_ipv4_address = True
    ftp.set_debuglevel(1)
    ftp.login(args.user, args.password)
    if args.tls:
        ftp.prot_p()
    set_mode(ftp, args.mode)
    data = random.Random(args.seed).randbytes(args.size)
    ftp.storbinary("STOR " + args.name, io.BytesIO(data))
    lines = []
    ftp.retrlines("LIST", lines.append)
    check(any(line.endswith(" " + args.name) for line in lines), "LIST shows the upload: %r" % lines)
    check(download(ftp, args.name) == data, "downloaded bytes differ")
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on")
    ftp.quit()
    print("OK exchange %s %d bytes" % (args.mode, len(data)))


def scenario_active_refused(args):
    """Active mode must fail with a reply that says why (--how 4xx or 5xx), and the session must go on."""
    ftp = connect(args)
    ftp.set_debuglevel(1)
    code = "4" if args.how == "4xx" else "5"
    text = expect_error(code, lambda: ftp.retrlines("LIST", lambda line: None))
    print("REFUSED " + text)
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on after the refusal")
    ftp.quit()


def scenario_throughput(args):
    """Uploads and downloads --size bytes --count times on one session, byte-exact; prints each direction's median MB/s."""
    ftp = connect(args)
    data = random.Random(args.seed).randbytes(args.size)
    rates = {"up": [], "down": []}
    for index in range(args.count):
        name = "throughput-%d.bin" % index
        started = time.monotonic()
        ftp.storbinary("STOR " + name, io.BytesIO(data), blocksize=1 << 18)
        rates["up"].append(len(data) / (time.monotonic() - started) / 1e6)
        started = time.monotonic()
        check(download(ftp, name) == data, "downloaded bytes differ")
        rates["down"].append(len(data) / (time.monotonic() - started) / 1e6)
        ftp.delete(name)
    ftp.quit()
    print("OK throughput up %.1f MB/s down %.1f MB/s" % tuple(statistics.median(rates[way]) for way in ("up", "down")))


SCENARIOS = {name[len("scenario_"):].replace("_", "-"): function for name, function in globals().items() if name.startswith("scenario_")}


def run(scenarios):
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(scenarios))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--tls-max", default="")
    parser.add_argument("--cafile")
    parser.add_argument("--mode", default="pasv", choices=["pasv", "epsv", "port", "eprt"])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--name", default="")
    parser.add_argument("--how", default="abor")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--chunk", type=int, default=16384, help="bytes slow-download reads, or slow-upload sends, every 0.2 s")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds any one network operation may take")
    args = parser.parse_args()
    globals()["TIMEOUT"] = args.timeout
    socket.setdefaulttimeout(args.timeout)
    scenarios[args.scenario](args)


if __name__ == "__main__":
    run(SCENARIOS)
