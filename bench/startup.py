#!/usr/bin/env python3
"""Start-up time and first-transfer speed of one gatehouse executable (docs/deployment.md, "Self-contained single file,
ReadyToRun"). Usage: startup.py RUNS COMMAND... (for example: startup.py 5 /usr/bin/gatehouse, or
startup.py 5 dotnet src/Gatehouse/bin/Release/net10.0/gatehouse.dll). Each run starts the server on a copy of a data
directory that already holds a user and a certificate, measures the time until the control port accepts, then logs in
over explicit FTPS and uploads and downloads 10 MB twice (PROT P), and stops it. Prints each run and the medians."""
import ftplib, os, shutil, socket, ssl, statistics, subprocess, sys, tempfile, time

PORT, SIZE, PASSWORD = 2431, 10_000_000, "Start-up-timing-2431"
runs, command = int(sys.argv[1]), sys.argv[2:]
work = tempfile.mkdtemp(prefix="gatehouse-startup-")
template, payload = os.path.join(work, "template"), os.path.join(work, "payload")
with open(payload, "wb") as f:
    f.write(os.urandom(SIZE))
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
                "-keyout", os.path.join(work, "key.pem"), "-out", os.path.join(work, "cert.pem")], check=True, capture_output=True)


def environment(data):
    return dict(os.environ, GATEHOUSE_DataDirectory=data, GATEHOUSE_Ftp__ExplicitPort=str(PORT), GATEHOUSE_Ftp__ImplicitPort="0",
                GATEHOUSE_Ftp__ListenAddresses__0="127.0.0.1", GATEHOUSE_Ftp__PassivePorts="52000-52019",
                GATEHOUSE_Tls__CertificateFile=os.path.join(work, "cert.pem"), GATEHOUSE_Tls__KeyFile=os.path.join(work, "key.pem"),
                GATEHOUSE_Accounts__CreateDemoUser="false")


subprocess.run(command + ["user", "add", "measure", "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
               env=environment(template), capture_output=True, cwd=work)


def transfer(ftp, name):
    started = time.monotonic()
    with open(payload, "rb") as f:
        ftp.storbinary(f"STOR {name}", f)
    uploaded = time.monotonic()
    ftp.retrbinary(f"RETR {name}", lambda block: None)
    return uploaded - started, time.monotonic() - uploaded


results = []
for run in range(runs):
    data = os.path.join(work, f"data{run}")
    shutil.copytree(template, data)
    started = time.monotonic()
    server = subprocess.Popen(command + ["serve"], env=environment(data), cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() - started > 60:
                    raise SystemExit("the server did not start")
                time.sleep(0.005)
        listening = time.monotonic() - started
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        ftp = ftplib.FTP_TLS(context=context, timeout=60)
        ftp.connect("127.0.0.1", PORT)
        ftp.auth()
        ftp.login("measure", PASSWORD)
        ftp.prot_p()
        logged_in = time.monotonic() - started - listening
        first = transfer(ftp, "first.bin")
        second = transfer(ftp, "second.bin")
        ftp.quit()
    finally:
        server.terminate()
        server.wait(timeout=90)
    mb = SIZE / 1e6
    row = (listening * 1000, logged_in * 1000, mb / first[0], mb / first[1], mb / second[0], mb / second[1])
    results.append(row)
    print("run %d: listening after %.0f ms, logged in %.0f ms later, first upload %.0f MB/s, download %.0f MB/s, second %.0f / %.0f MB/s" % ((run + 1,) + row))
medians = [statistics.median(column) for column in zip(*results)]
print("median: listening after %.0f ms, logged in %.0f ms later, first upload %.0f MB/s, download %.0f MB/s, second %.0f / %.0f MB/s" % tuple(medians))
shutil.rmtree(work)
