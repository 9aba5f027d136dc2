"""The FTP servers under test: how each is configured, started, measured (/proc) and stopped."""
import os
import resource
import shutil
import subprocess
import time
import socket

USER = "gatehousebench"
PASSWORD = "Bench-Pass-Word-7391"


def wait_for_port(port, process=None, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("the server exited (status %d) before listening on %d; see its server.log" % (process.returncode, port))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on 127.0.0.1:%d after %.0f s" % (port, timeout))


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def _tree(pid):
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        pending.extend(_children(current))
    return pids


def cpu_seconds(pid):
    """CPU time of the whole process tree: each member's own time plus that of the children it has reaped. Call it once
    the tree has settled (see settle): a session process that exited but is not yet reaped is counted nowhere."""
    total = 0
    for member in _tree(pid):
        try:
            with open("/proc/%d/stat" % member) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def settle(pid, size, timeout=10.0):
    """Waits until the process tree is back to SIZE members (forking servers' session processes have exited and been reaped)."""
    deadline = time.time() + timeout
    while len(_tree(pid)) > size and time.time() < deadline:
        time.sleep(0.02)


def resident_bytes(pid):
    """Memory of the whole process tree as proportional set size (Pss): pages shared between a forking server's
    processes (the binary, libraries, copy-on-write heap) are split among them instead of being counted once each."""
    total = 0
    for member in _tree(pid):
        try:
            with open("/proc/%d/smaps_rollup" % member) as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


def stop_process(process):
    """Terminates a server the bench started, and kills it if it has not ended within 15 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    name = ""
    system_account = False
    # Measured on the upload workloads only: a variant of another server that differs in how it stores uploads.
    uploads_only = False

    def __init__(self, workdir, port, passive, certificate, key):
        self.workdir = os.path.join(workdir, self.name)
        # The servers that log in system accounts share the one bench account, so they share its home too.
        self.home = os.path.join(workdir, "system-home") if self.system_account else os.path.join(self.workdir, "home")
        self.port = port
        self.passive = passive
        self.certificate = certificate
        self.key = key
        self.process = None
        os.makedirs(self.workdir, exist_ok=True)
        os.makedirs(self.home, exist_ok=True)

    @property
    def pid(self):
        return self.process.pid

    def cpu(self):
        """Server CPU seconds so far, read once the tree is back to its idle size."""
        settle(self.pid, self.idle_tree)
        return cpu_seconds(self.pid)

    def started(self):
        wait_for_port(self.port, self.process)
        time.sleep(0.5)
        self.idle_tree = len(_tree(self.pid))

    def stop(self):
        stop_process(self.process)


class Gatehouse(Server):
    name = "gatehouse"

    def __init__(self, command, *args):
        """COMMAND runs the build: ["dotnet", ".../gatehouse.dll"], or the Native AOT executable alone."""
        super().__init__(*args)
        self.command = command
        first, last = self.passive
        self.environment = dict(os.environ, **{
            "GATEHOUSE_DataDirectory": os.path.join(self.workdir, "data"),
            "GATEHOUSE_Ftp__ListenAddresses__0": "127.0.0.1",
            "GATEHOUSE_Ftp__ExplicitPort": str(self.port),
            "GATEHOUSE_Ftp__PassivePorts": "%d-%d" % (first, last),
            "GATEHOUSE_Tls__CertificateFile": self.certificate,
            "GATEHOUSE_Tls__KeyFile": self.key,
            "GATEHOUSE_Tls__Policy": "Optional",
            "GATEHOUSE_Limits__MaxSessions": "20000",
            "GATEHOUSE_Limits__MaxSessionsPerIp": "20000",
            "GATEHOUSE_Bans__Enabled": "false",
            "GATEHOUSE_Logging__LogLevel__Default": "Warning",
        })

    def start(self):
        if not os.path.exists(os.path.join(self.workdir, "data")):
            subprocess.run(self.command + ["user", "add", USER, "--password-stdin", "--home", self.home],
                           input=PASSWORD + "\n", text=True, env=self.environment, check=True, capture_output=True)
        log = open(os.path.join(self.workdir, "server.log"), "a")
        self.process = subprocess.Popen(self.command + ["serve"], env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=raise_limits)
        self.started()


AOT_BUILD = "/var/tmp/gatehouse-bench-aot"


def publish_aot(repository):
    """Compiles src/Gatehouse as scripts/package-deb.sh builds the package's executable, into AOT_BUILD; returns the
    executable. A few minutes, most of them in the native linker."""
    subprocess.run(["dotnet", "publish", os.path.join(repository, "src", "Gatehouse"), "-c", "Release", "-r", "linux-" + ("arm64" if os.uname().machine == "aarch64" else "x64"),
                    "-p:PublishAot=true", "-p:DebugType=none", "--nologo", "-v", "quiet", "-o", AOT_BUILD], check=True)
    return os.path.join(AOT_BUILD, "gatehouse")


class GatehouseAot(Gatehouse):
    """The same commit compiled ahead of time (Native AOT), as the Debian package ships it (scripts/package-deb.sh):
    no JIT, so a fresh process runs its first transfer with the code of its thousandth."""
    name = "gatehouse-aot"


class GatehouseNoSync(Gatehouse):
    """Gatehouse with Storage:SyncUploads=false: 226 once the data is in the page cache, without the fsync its
    default makes, as the peers do. Shows what the durable default costs on the upload workloads."""
    name = "gatehouse-nosync"
    uploads_only = True

    def __init__(self, command, *args):
        super().__init__(command, *args)
        self.environment["GATEHOUSE_Storage__SyncUploads"] = "false"


class GatehouseSmallSegments(Gatehouse):
    """Gatehouse with Ftp:MaxSegmentSize=1200, the setting for partners behind a tunnel that drops large packets.
    Shows what it costs on a clean path."""
    name = "gatehouse-mss1200"

    def __init__(self, command, *args):
        super().__init__(command, *args)
        self.environment["GATEHOUSE_Ftp__MaxSegmentSize"] = "1200"


class Vsftpd(Server):
    """vsftpd runs as root and forks a process per session; the bench user is a system account whose home is ours."""
    name = "vsftpd"
    system_account = True

    def start(self):
        ensure_system_user(self.home)
        first, last = self.passive
        config = os.path.join(self.workdir, "vsftpd.conf")
        os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
        with open(config, "w") as out:
            out.write("\n".join([
                "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1", "listen_port=%d" % self.port,
                "background=NO", "anonymous_enable=NO", "local_enable=YES", "write_enable=YES",
                "chroot_local_user=YES", "allow_writeable_chroot=YES", "pasv_enable=YES",
                "pasv_min_port=%d" % first, "pasv_max_port=%d" % last,
                "ssl_enable=YES", "rsa_cert_file=%s" % self.certificate, "rsa_private_key_file=%s" % self.key,
                "force_local_logins_ssl=NO", "force_local_data_ssl=NO", "require_ssl_reuse=NO",
                "max_clients=20000", "max_per_ip=20000", "seccomp_sandbox=NO", "pam_service_name=vsftpd",
                "xferlog_enable=YES", "vsftpd_log_file=%s" % os.path.join(self.workdir, "vsftpd.log"),
                "secure_chroot_dir=/var/run/vsftpd/empty", "",
            ]))
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.process = subprocess.Popen(["/usr/sbin/vsftpd", config], stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_limits)
        self.started()


class PureFtpd(Server):
    """pure-ftpd from a private prefix; system accounts (-l unix), everyone chrooted, TLS optional."""
    name = "pure-ftpd"
    system_account = True

    def __init__(self, prefix, *args):
        super().__init__(*args)
        self.binary = os.path.join(prefix, "usr", "sbin", "pure-ftpd")

    def start(self):
        ensure_system_user(self.home)
        first, last = self.passive
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.process = subprocess.Popen([
            self.binary, "--bind", "127.0.0.1,%d" % self.port, "--passiveportrange", "%d:%d" % (first, last),
            "--login", "unix", "--noanonymous", "--chrooteveryone", "--dontresolve", "--tls", "1",
            "--certfile", "%s,%s" % (self.certificate, self.key), "-c", "20000",
            "-C", "20000", "--altlog", "clf:%s" % os.path.join(self.workdir, "transfer.log"),
            "--maxidletime", "60",
        ], stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_limits)
        self.started()


class Proftpd(Server):
    """ProFTPD from a private prefix (mod_tls loaded from there); system accounts, DefaultRoot ~, TLS optional."""
    name = "proftpd"
    system_account = True

    def __init__(self, prefix, *args):
        super().__init__(*args)
        self.prefix = prefix

    def start(self):
        ensure_system_user(self.home)
        first, last = self.passive
        config = os.path.join(self.workdir, "proftpd.conf")
        with open(config, "w") as out:
            out.write("\n".join([
                "ServerType standalone", "DefaultServer on", "UseIPv6 off", "DefaultAddress 127.0.0.1",
                "SocketBindTight on", "Port %d" % self.port, "PassivePorts %d %d" % (first, last),
                "User nobody", "Group nogroup", "Umask 022", "MaxInstances 20000", "MaxClients none",
                "MaxClientsPerHost none", "DefaultRoot ~", "RequireValidShell off", "AuthPAM off",
                "AuthOrder mod_auth_unix.c", "UseReverseDNS off", "WtmpLog off",
                "TimeoutIdle 600", "AllowOverwrite on",
                # mod_delay pads every login with a sleep to hide timing differences; the churn would measure the sleep.
                "DelayEngine off",
                "PidFile %s" % os.path.join(self.workdir, "proftpd.pid"),
                "ScoreboardFile %s" % os.path.join(self.workdir, "proftpd.scoreboard"),
                "DelayTable %s" % os.path.join(self.workdir, "proftpd.delay"),
                "SystemLog %s" % os.path.join(self.workdir, "proftpd.log"),
                "TransferLog %s" % os.path.join(self.workdir, "transfer.log"),
                "ModulePath %s" % os.path.join(self.prefix, "usr", "lib", "proftpd"),
                "LoadModule mod_tls.c",
                "TLSEngine on", "TLSRequired off", "TLSProtocol TLSv1.2 TLSv1.3",
                "TLSRSACertificateFile %s" % self.certificate, "TLSRSACertificateKeyFile %s" % self.key,
                # Without a CA list of its own, every session process parses the system's CA bundle (bench/README.md).
                "TLSCACertificateFile %s" % self.certificate,
                "TLSOptions NoSessionReuseRequired", "TLSVerifyClient off",
                "TLSLog %s" % os.path.join(self.workdir, "tls.log"), "",
            ]))
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.process = subprocess.Popen([os.path.join(self.prefix, "usr", "sbin", "proftpd"), "--nodaemon", "--config", config],
                                        stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_limits)
        self.started()


class Pyftpdlib(Server):
    """pyftpdlib (Debian's python3 with the unpacked pyftpdlib and PyOpenSSL): one process, an event loop."""
    name = "pyftpdlib"

    def __init__(self, prefix, *args):
        super().__init__(*args)
        self.prefix = prefix

    def start(self):
        first, last = self.passive
        environment = dict(os.environ, PYTHONPATH=os.path.join(self.prefix, "usr", "lib", "python3", "dist-packages"))
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.process = subprocess.Popen([
            "/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyftpd.py"), str(self.port),
            "%d-%d" % (first, last), USER, PASSWORD, self.home, self.certificate, self.key,
            os.path.join(self.workdir, "transfer.log"),
        ], env=environment, stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_limits)
        self.started()


def raise_limits():
    """Room for 10,000 sessions' descriptors (the idle-session workload): the soft limit up to the hard one."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def unpack(packages, prefix):
    """Servers whose Debian packages conflict with the installed one go into a private prefix (apt-get download, dpkg -x)."""
    marker = os.path.join(prefix, ".unpacked")
    if os.path.exists(marker) and open(marker).read() == " ".join(packages):
        return
    debs = os.path.join(prefix, "debs")
    os.makedirs(debs, exist_ok=True)
    subprocess.run(["apt-get", "download"] + packages, cwd=debs, check=True, capture_output=True)
    for deb in sorted(os.listdir(debs)):
        subprocess.run(["dpkg", "-x", os.path.join(debs, deb), prefix], check=True)
    with open(marker, "w") as out:
        out.write(" ".join(packages))


def ensure_system_user(home):
    """A local account for the servers that authenticate against the system (PAM)."""
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/bash", USER], check=True)
    subprocess.run(["usermod", "--home", home, USER], check=True, capture_output=True)
    # SHA-512 crypt (about 1 ms) rather than Debian's default yescrypt (tens of ms per login), so that the churn
    # workload measures the servers, not the system's password hash.
    subprocess.run(["chpasswd", "--crypt-method", "SHA512"], input="%s:%s\n" % (USER, PASSWORD), text=True, check=True)
    shutil.chown(home, USER, USER)


def install(packages):
    missing = [package for package, binary in packages if not shutil.which(binary) and not os.path.exists(binary)]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True, env=env)
