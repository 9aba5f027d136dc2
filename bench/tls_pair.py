#!/usr/bin/python3
"""The single-stream TLS ceiling: a bare OpenSSL (Python ssl) socket pair over loopback moves SIZE bytes with CIPHER.
Prints MB/s. Usage: tls_pair.py CERT KEY SIZE CIPHER"""
import os
import socket
import ssl
import sys
import threading
import time

CHUNK = 1 << 20


def main():
    certificate, key, size, cipher = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate, key)
    server_context.maximum_version = ssl.TLSVersion.TLSv1_2
    server_context.set_ciphers(cipher)
    client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_context.check_hostname = False
    client_context.verify_mode = ssl.CERT_NONE
    client_context.maximum_version = ssl.TLSVersion.TLSv1_2
    client_context.set_ciphers(cipher)
    listener = socket.create_server(("127.0.0.1", 0))
    payload = memoryview(os.urandom(CHUNK))

    def serve():
        connection, _ = listener.accept()
        with server_context.wrap_socket(connection, server_side=True) as tls:
            remaining = size
            while remaining:
                count = min(CHUNK, remaining)
                tls.sendall(payload[:count])
                remaining -= count

    sender = threading.Thread(target=serve)
    sender.start()
    with client_context.wrap_socket(socket.create_connection(listener.getsockname())) as tls:
        buffer = bytearray(CHUNK)
        received, started = 0, time.perf_counter()
        while received < size:
            count = tls.recv_into(buffer)
            if not count:
                break
            received += count
        seconds = time.perf_counter() - started
    sender.join()
    if received != size:
        raise SystemExit("received %d of %d bytes" % (received, size))
    print("%.1f" % (size / seconds / 1e6))


main()
