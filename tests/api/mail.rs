//! A mail server and an SMS gateway on loopback, for tests of messages to citizens: a real SMTP
//! conversation (run in the test) and an HTTP stub that keeps what it is sent.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub type Inbox = Arc<Mutex<Vec<String>>>;

/// A message as its reader sees it: the headers, then the base64 body decoded.
pub fn readable(raw: &str) -> String {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut n, mut out) = (0u32, 0u32, Vec::new());
    for c in body.bytes().filter_map(|c| alphabet.iter().position(|a| *a == c)) {
        bits = (bits << 6) | c as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    format!("{head}\n\n{}", String::from_utf8_lossy(&out))
}

/// An SMTP server speaking just enough of RFC 5321 (EHLO, MAIL, RCPT, DATA, QUIT) to take mail.
pub struct SmtpServer {
    pub port: u16,
    pub inbox: Inbox,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start(port: u16, inbox: Inbox) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("the SMTP port is free");
        let port = listener.local_addr().unwrap().port();
        let mailbox = inbox.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let inbox = mailbox.clone();
                sessions.spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test ESMTP\r\n").await.ok();
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(message) = data.as_mut() {
                            if line == "." {
                                inbox.lock().unwrap().push(readable(&std::mem::take(message)));
                                data = None;
                                write.write_all(b"250 OK\r\n").await.ok();
                            } else {
                                message.push_str(line.strip_prefix('.').unwrap_or(&line));
                                message.push('\n');
                            }
                            continue;
                        }
                        let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                break;
                            }
                            _ => b"250 OK\r\n",
                        };
                        write.write_all(answer).await.ok();
                    }
                });
            }
        });
        Self { port, inbox, task }
    }

    /// Stops listening and drops every open session: the mail server is down.
    pub fn stop(self) -> (u16, Inbox) {
        self.task.abort();
        (self.port, self.inbox)
    }
}

/// An HTTP stub for the SMS gateway: keeps every JSON body POSTed to it.
pub async fn sms_gateway() -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            kept.lock().unwrap().push(body.to_string());
                            stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await.ok();
                            break;
                        }
                    }
                }
            });
        }
    });
    (url, inbox)
}

pub async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
