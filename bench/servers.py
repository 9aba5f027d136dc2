"""The FTP servers under test: how each is configured, started, measured (/proc) and stopped."""
import os
import shutil
import subprocess
import time
import socket

USER = "gatehousebench"
PASSWORD = "Bench-Pass-Word-7391"


def wait_for_port(port, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
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
    """CPU time of the whole process tree: the root with its reaped children, plus live descendants."""
    total = 0
    for index, member in enumerate(_tree(pid)):
        try:
            with open("/proc/%d/stat" % member) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:13 if index else 15])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def resident_bytes(pid):
    """Resident memory of the whole process tree."""
    total = 0
    for member in _tree(pid):
        try:
            with open("/proc/%d/status" % member) as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Server:
    name = ""

    def __init__(self, workdir, port, passive, certificate, key):
        self.workdir = os.path.join(workdir, self.name)
        self.home = os.path.join(self.workdir, "home")
        self.port = port
        self.passive = passive
        self.certificate = certificate
        self.key = key
        self.process = None
        os.makedirs(self.home, exist_ok=True)

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Gatehouse(Server):
    name = "gatehouse"

    def __init__(self, repository, *args):
        super().__init__(*args)
        self.dll = os.path.join(repository, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")
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
        subprocess.run(["dotnet", self.dll, "user", "add", USER, "--password-stdin", "--home", self.home],
                       input=PASSWORD + "\n", text=True, env=self.environment, check=True, capture_output=True)
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.process = subprocess.Popen(["dotnet", self.dll, "serve"], env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)


class Vsftpd(Server):
    """vsftpd runs as root and forks a process per session; the bench user is a system account whose home is ours."""
    name = "vsftpd"

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
        self.process = subprocess.Popen(["/usr/sbin/vsftpd", config], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)


def ensure_system_user(home):
    """A local account for the servers that authenticate against the system (PAM)."""
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/bash", USER], check=True)
    subprocess.run(["usermod", "--home", home, USER], check=True)
    subprocess.run(["chpasswd"], input="%s:%s\n" % (USER, PASSWORD), text=True, check=True)
    shutil.chown(home, USER, USER)


def install(packages):
    missing = [package for package, binary in packages if not shutil.which(binary) and not os.path.exists(binary)]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True, env=env)
