use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Workspace;

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    body
}

#[test]
fn serve_demo_answers_the_dashboard_and_health_check_within_three_seconds() {
    let ws = Workspace::new();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", &ws.url()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.find_map(|l| l.ok().filter(|l| l.contains("serving on"))).expect("the address is printed");
    let addr = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let root = get(&addr, "/");
    let home = get(&addr, "/dashboard/national");
    let health = get(&addr, "/healthz");
    let elapsed = started.elapsed();
    child.kill().ok();
    child.wait().ok();
    assert!(root.starts_with("HTTP/1.1 303") && root.contains("location: /dashboard/national"), "{root}");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("Viện trợ phi chính phủ nước ngoài toàn quốc"));
    assert!(home.to_lowercase().contains("x-content-type-options: nosniff"));
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}
