// A client built on Go's github.com/jlaffaye/ftp as Debian ships it (golang-github-jlaffaye-ftp-dev), which many Go
// tools use. Under PROT P it starts TLS on a passive data connection as soon as it has connected, and only then sends
// the transfer command. It logs in with explicit TLS, uploads a file, lists it, downloads it and compares.
//
// Usage: jlaffaye-ftp HOST PORT USER PASSWORD CAFILE NAME SIZE epsv|pasv
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"time"

	"github.com/jlaffaye/ftp"
)

func main() {
	if len(os.Args) != 9 {
		fail("usage: jlaffaye-ftp HOST PORT USER PASSWORD CAFILE NAME SIZE epsv|pasv")
	}
	host, port, user, password, caFile, name, mode := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6], os.Args[8]
	size, err := strconv.Atoi(os.Args[7])
	check(err, "size")
	pem, err := os.ReadFile(caFile)
	check(err, "reading the CA file")
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fail("no certificate in " + caFile)
	}
	config := &tls.Config{RootCAs: roots, ServerName: host, ClientSessionCache: tls.NewLRUClientSessionCache(4)}

	// The dial time-out also bounds each data connection's TLS handshake, so a server that waits for the command
	// before answering it makes this fail instead of hang.
	conn, err := ftp.Dial(host+":"+port, ftp.DialWithExplicitTLS(config), ftp.DialWithTimeout(10*time.Second),
		ftp.DialWithDisabledEPSV(mode == "pasv"))
	check(err, "connecting")
	check(conn.Login(user, password), "logging in")

	data := make([]byte, size)
	rand.New(rand.NewSource(int64(size))).Read(data)
	check(conn.Stor(name, bytes.NewReader(data)), "STOR")

	entries, err := conn.List("/")
	check(err, "listing")
	listed := false
	for _, entry := range entries {
		listed = listed || (entry.Name == name && entry.Size == uint64(size))
	}
	if !listed {
		fail(fmt.Sprintf("the listing of / has no %s of %d bytes", name, size))
	}

	download, err := conn.Retr(name)
	check(err, "RETR")
	back, err := io.ReadAll(download)
	check(err, "reading the download")
	check(download.Close(), "closing the download")
	if !bytes.Equal(back, data) {
		fail(fmt.Sprintf("downloaded %d bytes that differ from the %d uploaded", len(back), len(data)))
	}

	check(conn.Quit(), "QUIT")
	fmt.Printf("OK jlaffaye %s: stored, listed and read back %d bytes\n", mode, size)
}

func check(err error, step string) {
	if err != nil {
		fail(step + ": " + err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "FAIL", message)
	os.Exit(1)
}
