#!/usr/bin/python3
"""pyftpdlib configured like the other servers: one user with a home, passive range, explicit TLS optional, a log file."""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    port, passive, user, password, home, certificate, key, log = sys.argv[1:9]
    first, last = (int(value) for value in passive.split("-"))
    logging.basicConfig(filename=log, level=logging.INFO)
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, home, perm="elradfmwMT")
    handler = TLS_FTPHandler
    handler.authorizer = authorizer
    handler.certfile = certificate
    handler.keyfile = key
    handler.tls_control_required = False
    handler.tls_data_required = False
    handler.passive_ports = range(first, last + 1)
    server = FTPServer(("127.0.0.1", int(port)), handler)
    server.max_cons = 20000
    server.max_cons_per_ip = 20000
    server.serve_forever()


main()
