#!/usr/bin/python3
"""TLS on data connections, as the strictest clients use it (ftpcheck.py's options and conventions).

- resumption: every data connection must resume the control connection's TLS session, as FileZilla requires for
  uploads (and vsftpd's require_ssl_reuse for every transfer); no session ticket may arrive on a data connection.
- unread-upload: an upload that never reads its data connection, as curl did before its fix for issue #6149, must
  arrive whole.
- truncated-upload and abandoned-upload: a data connection that ends without close_notify, after part of the file or
  right after the handshake (FileZilla when resumption fails), must store nothing and keep the previous version.
- required-binding and sticky-binding: with Tls:DataConnectionResumption Required (or Sticky, once a data connection
  has resumed), a data connection that starts a new TLS session, or resumes another control connection's, is refused
  with 425 and the session goes on.
"""
import ftplib
import io
import random
import socket
import ssl

from ftpcheck import check, connect, run, tls_context

HANDSHAKE = 22
NEW_SESSION_TICKET = 4


class ResumingFtp(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control session, and fail when they do not; counts data tickets."""

    def __init__(self, args):
        super().__init__(context=tls_context(args), timeout=socket.getdefaulttimeout())
        self.data_tickets = 0
        self.data_connections = 0
        self.context._msg_callback = self.count_data_ticket
        self.connect(args.host, args.port)
        self.login(args.user, args.password)
        self.prot_p()
        if args.mode == "epsv":
            self.makepasv = lambda: ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        check(conn.session_reused, "%s: the data connection did not resume the control connection's TLS session" % cmd)
        self.data_connections += 1
        return conn, size

    def count_data_ticket(self, conn, direction, version, content_type, message, data):
        # TLS 1.3 only: a TLS 1.2 ticket is part of the handshake, which every client reads.
        if direction == "read" and version == ssl.TLSVersion.TLSv1_3 and content_type == HANDSHAKE \
                and message == NEW_SESSION_TICKET and conn is not self.sock:
            self.data_tickets += 1


def scenario_resumption(args):
    ftp = ResumingFtp(args)
    data = random.Random(args.seed).randbytes(args.size)
    name = args.name or "resumed-%s.bin" % args.mode
    ftp.storbinary("STOR " + name, io.BytesIO(data))
    back = io.BytesIO()
    ftp.retrbinary("RETR " + name, back.write)
    check(back.getvalue() == data, "downloaded bytes differ (%d vs %d)" % (len(back.getvalue()), len(data)))
    check(name in ftp.nlst(), "NLST lists the upload")
    check(ftp.data_tickets == 0, "%d session tickets arrived on data connections" % ftp.data_tickets)
    version = ftp.sock.version()
    ftp.quit()
    print("OK resumption %s %s %d data connections, all resumed, no tickets" % (version, args.mode, ftp.data_connections))


def final_reply(ftp):
    try:
        return ftp.getresp()
    except ftplib.Error as error:
        return str(error)


def scenario_unread_upload(args):
    ftp = connect(args)
    data = random.Random(args.seed).randbytes(args.size)
    ftp.voidcmd("TYPE I")
    raw, _ = ftplib.FTP.ntransfercmd(ftp, "STOR " + args.name)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ftp.context.wrap_bio(incoming, outgoing, server_hostname=ftp.host, session=ftp.sock.session)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            raw.sendall(outgoing.read())
            received = raw.recv(65536)
            check(received, "the server closed the data connection during the handshake")
            incoming.write(received)
    # From here on nothing is read from the data connection: what the server sends after the handshake stays unread.
    for start in range(0, len(data), 1 << 16):
        tls.write(data[start:start + (1 << 16)])
        raw.sendall(outgoing.read())
    try:
        tls.unwrap()
    except ssl.SSLWantReadError:
        pass  # close_notify is written; waiting for the server's would mean reading
    raw.sendall(outgoing.read())
    raw.close()
    reply = final_reply(ftp)
    check(reply.startswith("226"), "upload reply %r" % reply)
    check(ftp.size(args.name) == len(data), "SIZE %s after an upload of %d bytes" % (ftp.size(args.name), len(data)))
    ftp.quit()
    print("OK unread-upload %d bytes" % len(data))


def expect_refused_upload(args, send, resume):
    """Uploads a first version, then a second over a data connection that send() uses and that ends without close_notify."""
    ftp = connect(args)
    first = random.Random(1).randbytes(5000)
    ftp.storbinary("STOR " + args.name, io.BytesIO(first))
    raw, _ = ftplib.FTP.ntransfercmd(ftp, "STOR " + args.name)
    tls = ftp.context.wrap_socket(raw, server_hostname=ftp.host, session=ftp.sock.session if resume else None)
    send(tls)
    tls.close()  # SSLSocket.close() closes the socket without sending close_notify
    reply = final_reply(ftp)
    check(reply.startswith("426"), "an upload that ended without close_notify was answered %r" % reply)
    back = io.BytesIO()
    ftp.retrbinary("RETR " + args.name, back.write)
    check(back.getvalue() == first, "the previous version was replaced (%d bytes now)" % len(back.getvalue()))
    check(ftp.voidcmd("NOOP").startswith("200"), "session goes on")
    ftp.quit()
    print("REPLY " + reply)


def scenario_truncated_upload(args):
    expect_refused_upload(args, lambda tls: tls.sendall(random.Random(2).randbytes(args.size)), resume=True)
    print("OK truncated-upload")


def scenario_abandoned_upload(args):
    """FileZilla when the data connection did not resume: the handshake completes, then it closes the connection."""
    expect_refused_upload(args, lambda tls: None, resume=False)
    print("OK abandoned-upload")


class ChoosingFtp(ftplib.FTP_TLS):
    """FTP_TLS whose next data connection resumes the session named by `session`: "own", "none" or another's."""

    def __init__(self, args, context=None):
        super().__init__(context=context or tls_context(args), timeout=socket.getdefaulttimeout())
        self.session_choice = "own"
        self.connect(args.host, args.port)
        self.login(args.user, args.password)
        self.prot_p()

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        session = self.sock.session if self.session_choice == "own" else None if self.session_choice == "none" else self.session_choice
        return self.context.wrap_socket(conn, server_hostname=self.host, session=session), size


def listing_reply(ftp, choice):
    """The final reply to NLST over a data connection that resumes `choice`."""
    ftp.session_choice = choice
    try:
        ftp.nlst()
        return ftp.lastresp
    except ftplib.Error as error:
        return str(error)


def expect_refused(ftp, choice, what):
    reply = listing_reply(ftp, choice)
    check(reply.startswith("425") and "session reuse" in reply, "%s was answered %r" % (what, reply))
    check(ftp.voidcmd("NOOP").startswith("200"), "the session goes on after the refusal")
    print("REFUSED %s: %s" % (what, reply))


def scenario_required_binding(args):
    other = ChoosingFtp(args)
    # Python resumes only sessions of the same context, as a program holding a stolen session would.
    ftp = ChoosingFtp(args, other.context)
    check(listing_reply(ftp, "own").startswith("226"), "a data connection resuming the control session was refused")
    expect_refused(ftp, "none", "a new TLS session")
    expect_refused(ftp, other.sock.session, "another control connection's session")
    check(listing_reply(ftp, "own").startswith("226"), "a resumed data connection after the refusals")
    version = ftp.sock.version()
    other.quit()
    ftp.quit()
    print("OK required-binding " + version)


def scenario_sticky_binding(args):
    ftp = ChoosingFtp(args)
    check(listing_reply(ftp, "none").startswith("226"), "a new session before any resumption was refused")
    check(listing_reply(ftp, "own").startswith("226"), "a resumed data connection was refused")
    expect_refused(ftp, "none", "a new TLS session after a resumed one")
    ftp.quit()
    print("OK sticky-binding")


SCENARIOS = {name[len("scenario_"):].replace("_", "-"): function for name, function in globals().items() if name.startswith("scenario_")}

if __name__ == "__main__":
    run(SCENARIOS)
