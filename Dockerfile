# Gatehouse in a container: the Debian package's self-contained executable and configuration (docs/deployment.md,
# "In a container"). CI does not build it: the base images cannot be pulled on the test machines.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Native AOT links with the C toolchain.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Gatehouse -c Release -r linux-x64 -p:PublishAot=true -p:DebugType=none -o /out

# Only the native libraries a Native AOT .NET program needs (glibc, OpenSSL, ca-certificates).
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/ /usr/lib/gatehouse/
COPY packaging/debian/gatehouse.json /etc/gatehouse/gatehouse.json
RUN ln -s /usr/lib/gatehouse/gatehouse /usr/bin/gatehouse \
    && groupadd --system gatehouse \
    && useradd --system --gid gatehouse --home-dir /var/lib/gatehouse --shell /usr/sbin/nologin gatehouse \
    && install -d -o gatehouse -g gatehouse -m 0750 /var/lib/gatehouse \
    && install -d -o root -g gatehouse -m 0750 /etc/gatehouse/tls \
    && chown root:gatehouse /etc/gatehouse/gatehouse.json && chmod 0640 /etc/gatehouse/gatehouse.json
# The package's settings, except: a self-signed certificate in the data directory until you mount yours into
# /etc/gatehouse/tls and set these two to its files; the health check on 8080 for HEALTHCHECK and orchestrators.
ENV GATEHOUSE_Tls__CertificateFile="" \
    GATEHOUSE_Tls__KeyFile="" \
    GATEHOUSE_Cluster__HealthPort=8080
USER gatehouse
WORKDIR /var/lib/gatehouse
VOLUME /var/lib/gatehouse
# Explicit FTPS, implicit FTPS, the passive range (set GATEHOUSE_Ftp__PassiveAddress to the host's public address), health.
EXPOSE 21 990 50000-50099 8080
# Docker lets unprivileged processes bind ports below 1024 inside the container (net.ipv4.ip_unprivileged_port_start=0).
HEALTHCHECK --interval=30s --timeout=5s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/bin/gatehouse"]
CMD ["serve", "--config", "/etc/gatehouse/gatehouse.json"]
