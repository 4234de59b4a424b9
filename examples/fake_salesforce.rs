//! A fake Salesforce token endpoint to run by hand or benchmark against.
//!
//! ```text
//! cargo run --example fake_salesforce -- --port 0
//! cargo run --release --example fake_salesforce -- --port 8443 --seconds 60 --cert server.crt
//! cargo run --example fake_salesforce -- --fault html:503
//! cargo run --example fake_salesforce -- --delay 200 --username a@example.com --username b@example.com
//! ```
//!
//! The first line on stdout is `listening on http://127.0.0.1:PORT`; the next lines
//! say how to log in: client id, username, and (unless `--cert` was given) the
//! paths of a freshly generated private key and certificate. It serves until
//! killed, or for `--seconds N`. Generating the key pair needs `openssl` on the PATH.
//!
//! The fake is the tests' own (tests/support), included here file by file.

#[path = "../tests/support/fake_salesforce.rs"]
mod fake_salesforce;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/test_key.rs"]
mod test_key;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use std::{fs, thread};

use clap::Parser;

use fake_salesforce::{App, CONSUMER_KEY, FakeSalesforce, Fault, Org, USERNAME, User};
use test_key::TestKey;

#[derive(Parser)]
#[command(about = "Serve a fake Salesforce token endpoint on 127.0.0.1")]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Stop after this many seconds instead of running until killed.
    #[arg(long)]
    seconds: Option<u64>,
    /// PEM certificate of the app; without it a key pair is generated.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Where to write the generated key pair (default: a new temporary directory).
    #[arg(long)]
    key_dir: Option<PathBuf>,
    /// Consumer key of the org's one app.
    #[arg(long, default_value = CONSUMER_KEY)]
    client_id: String,
    /// Username of a user of the org; repeat it for more users (the first is printed).
    #[arg(long, default_value = USERNAME)]
    username: Vec<String>,
    /// Be a sandbox (accepts aud https://test.salesforce.com).
    #[arg(long)]
    sandbox: bool,
    /// Answer each token request this many milliseconds after reading it, as a real endpoint
    /// takes a TLS handshake and a round trip.
    #[arg(long, value_name = "MS", conflicts_with = "fault")]
    delay: Option<u64>,
    /// Serve a fault instead of the org: refuse, reset, slow-headers:MS,
    /// slow-body:MS, html:STATUS, huge-body:BYTES, redirect:LOCATION, not-json.
    #[arg(long, value_parser = parse_fault)]
    fault: Option<Fault>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let fake = match &args.fault {
        Some(fault) => {
            let fake = FakeSalesforce::fault_on_port(args.port, fault.clone())?;
            print_line(&format!("listening on {}", fake.url()));
            fake
        }
        None => serve_org(&args)?,
    };
    match args.seconds {
        Some(seconds) => thread::sleep(Duration::from_secs(seconds)),
        None => loop {
            thread::park();
        },
    }
    drop(fake);
    Ok(())
}

/// Starts the default org and prints how to log in to it.
fn serve_org(args: &Args) -> Result<FakeSalesforce, Box<dyn std::error::Error>> {
    let (certificate_pem, generated) = match &args.cert {
        Some(path) => (fs::read_to_string(path)?, None),
        None => {
            let key = TestKey::generate();
            let dir = match &args.key_dir {
                Some(dir) => dir.clone(),
                None => tempfile::tempdir()?.keep(),
            };
            fs::create_dir_all(&dir)?;
            let paths = key.write_files(&dir);
            (key.certificate_pem, Some(paths))
        }
    };
    let mut org = if args.sandbox { Org::sandbox() } else { Org::production() };
    for username in &args.username {
        org = org.with_user(User::new(username));
    }
    org = org.with_app(App::new(&args.client_id, &certificate_pem));
    org.latency = Duration::from_millis(args.delay.unwrap_or(0));
    let fake = FakeSalesforce::start_on_port(args.port, org)?;
    print_line(&format!("listening on {}", fake.url()));
    print_line(&format!("client id: {}", args.client_id));
    print_line(&format!("username: {}", args.username[0]));
    if let Some((key_path, cert_path)) = generated {
        print_line(&format!("private key: {}", key_path.display()));
        print_line(&format!("certificate: {}", cert_path.display()));
    }
    Ok(fake)
}

/// Prints and flushes, so a script reading our piped stdout sees each line at once.
fn print_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    let (name, value) = text.split_once(':').unwrap_or((text, ""));
    let number = || value.parse::<u64>().map_err(|_| format!("{name} needs a number: {text}"));
    let fault = match name {
        "refuse" => Fault::Refuse,
        "reset" => Fault::ResetMidResponse,
        "slow-headers" => Fault::SlowHeaders(Duration::from_millis(number()?)),
        "slow-body" => Fault::SlowBody(Duration::from_millis(number()?)),
        "html" => Fault::Html(value.parse().map_err(|_| format!("bad status: {text}"))?),
        "huge-body" => Fault::HugeBody(number()? as usize),
        "redirect" if !value.is_empty() => Fault::Redirect(value.to_string()),
        "not-json" => Fault::NotJson,
        _ => return Err(format!("unknown fault: {text}")),
    };
    Ok(fault)
}
