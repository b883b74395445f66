//! A real SSH server of a test's own on 127.0.0.1 (host key, authorized_keys and config in the
//! test's directory), and a page to serve behind it. Included by path from the core's and
//! `hangarctl`'s tests that need OpenSSH (`tests/setup.sh` installs it); each uses some of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path).output().unwrap();
    assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits (with a loaded machine's budget) until something listens on `addr`.
pub fn wait_for_port(addr: SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The running sshd; killed when dropped.
pub struct Sshd {
    child: Child,
    pub addr: SocketAddr,
    dir: PathBuf,
}

impl Sshd {
    /// An sshd on a free port that accepts only the key pair at `authorized` (its `.pub`).
    pub fn start(dir: &Path, authorized: &Path) -> Sshd {
        keygen(&dir.join("host_key"));
        std::fs::copy(authorized.with_extension("pub"), dir.join("authorized_keys")).unwrap();
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             PermitRootLogin prohibit-password\nAllowTcpForwarding yes\n",
            dir.join("host_key").display(),
            dir.join("authorized_keys").display(),
            dir.join("sshd.pid").display(),
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        // As root, sshd insists on its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
            .spawn()
            .expect("sshd runs (tests/setup.sh installs openssh-server)");
        let sshd = Sshd { child, addr: SocketAddr::from(([127, 0, 0, 1], port)), dir: dir.to_path_buf() };
        wait_for_port(sshd.addr, "sshd");
        sshd
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// What sshd said (its `-e` log), for a failing assertion's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP server answering every request with `body`: the page a workspace serves on its
/// side of a forward. Returns its port.
pub fn http_server(body: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let _ = write!(
                    stream,
                    "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}
